"""What a service module may import: the rule of tools/lib/linkable.ts.

From module "quark", the syscalls (export `x` for each constant SYS_X of the
image's quark.abi, and the generic `syscall`) and the loader's metering
imports; from module "env", abort, trace and seed (the kernel's env_<name>).
Never what the host drives (boot, run, boot_buffer, exit_code, ...).
"""

GENERIC_SYSCALL = "syscall"
ENV_IMPORTS = ("abort", "trace", "seed")
LOADER_IMPORTS = ("fuel", "fuel_out", "stack", "stack_out", "mem_limit")


def syscall_exports(abi):
    names = {GENERIC_SYSCALL}
    for key, value in abi.items():
        if key.startswith("SYS_") and key != "SYS_COUNT" and isinstance(value, int):
            names.add(key[4:].lower())
    return names


def linkable_imports(syscalls):
    """(module, name, kernel export) for every import a service may have."""
    for name in sorted(syscalls) + list(LOADER_IMPORTS):
        yield "quark", name, name
    for name in ENV_IMPORTS:
        yield "env", name, "env_" + name


def link_refusal(module, name):
    """Why an import is refused, in the words of tools/lib/linkable.ts."""
    if module == "quark":
        return ("import quark.%s is not a syscall (a service may import only the syscalls of docs/machine-abi.md)"
                % name)
    return ('import %s.%s is not provided to services (only module "quark" syscalls and env.%s)'
            % (module, name, "/".join(ENV_IMPORTS)))
