"""The control socket (`quark boot --control PATH`): a Unix socket through
which `quark ctl --control PATH` reaches the console of a running machine.
What a connection writes is console input, like standard input; every console
output byte is copied to every open connection. While the socket is open, the
end of standard input is not the end of console input: the machine runs until
it is halted. The same rules as tools/host-node/control.ts."""

import os
import socket


def _in_use(path):
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(path)
        return True
    except OSError:
        return False
    finally:
        probe.close()


class ControlSocket:
    def __init__(self, path):
        self.path = path
        if os.path.exists(path):
            if _in_use(path):
                raise OSError("another system is listening there; halt it (quark ctl --control %s halt) or choose another path" % path)
            os.unlink(path)  # a socket left by a machine that is gone
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(path)
        self.server.listen(8)
        self.server.setblocking(False)
        self.clients = []

    def fds(self):
        return [self.server] + self.clients

    def readable(self, ready):
        """Accept new connections and read what the ready ones sent; the bytes read."""
        data = b""
        for s in ready:
            if s is self.server:
                try:
                    conn, _ = self.server.accept()
                    conn.setblocking(True)
                    self.clients.append(conn)
                except OSError:
                    pass
                continue
            if s not in self.clients:
                continue
            try:
                chunk = s.recv(4096)
            except OSError:
                chunk = b""
            if chunk:
                data += chunk
            else:
                self._drop(s)
        return data

    def write(self, data):
        for c in list(self.clients):
            try:
                c.sendall(data)
            except OSError:
                self._drop(c)

    def _drop(self, c):
        if c in self.clients:
            self.clients.remove(c)
        try:
            c.close()
        except OSError:
            pass

    def close(self):
        for c in list(self.clients):
            self._drop(c)
        self.server.close()
        try:
            os.unlink(self.path)
        except OSError:
            pass
