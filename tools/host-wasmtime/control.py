"""The control socket (`quark boot --control PATH`): a Unix socket through
which `quark ctl --control PATH` reaches the console of a running machine.
What a connection writes is console input, like standard input; every console
output byte is copied to every open connection. While the socket is open, the
end of standard input is not the end of console input: the machine runs until
it is halted. The same rules as tools/host-node/control.ts."""

import os
import socket
import sys

CLOSE_GRACE = 5.0  # seconds, as tools/host-node/control.ts's CLOSE_GRACE_MS


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
    def __init__(self, path, backlog):
        self.path = path
        # Console output a connection may leave unread (CONTROL_BACKLOG); past it, it is dropped.
        self.backlog = backlog
        self.unsent = {}
        self.mid_line = set()  # connections whose last byte read was not a newline
        self.ended = b""  # newlines that end a dropped connection's last line
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
        data, self.ended = self.ended, b""
        for s in ready:
            if s is self.server:
                try:
                    conn, _ = self.server.accept()
                    conn.setblocking(False)  # a client that stops reading must never stall the machine
                    self.clients.append(conn)
                    self.unsent[conn] = bytearray()
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
                if chunk.endswith(b"\n"):
                    self.mid_line.discard(s)
                else:
                    self.mid_line.add(s)
            else:
                data += self._drop(s)
        return data

    def write(self, data):
        for c in list(self.clients):
            buf = self.unsent[c]
            if len(buf) + len(data) > self.backlog:
                self.ended += self._drop(c)
                print("quark: control connection dropped: it left %d bytes of console output unread" % self.backlog,
                      file=sys.stderr)
                continue
            buf += data
            self._flush(c)

    def waiting(self):
        """Connections with output they have not read yet."""
        return [c for c in self.clients if self.unsent.get(c)]

    def flush(self, writable):
        """Send more to the connections that can take it now."""
        for c in writable:
            if c in self.clients:
                self._flush(c)

    def _flush(self, c):
        buf = self.unsent[c]
        try:
            while buf:
                n = c.send(buf)
                del buf[:n]
        except BlockingIOError:
            pass  # the client reads slowly: the rest waits here, within the backlog
        except OSError:
            self.ended += self._drop(c)

    def _drop(self, c):
        """Close a connection; a newline if its last line was cut short, so it cannot run into the next one's."""
        self.unsent.pop(c, None)
        cut = c in self.mid_line
        self.mid_line.discard(c)
        if c in self.clients:
            self.clients.remove(c)
        try:
            c.close()
        except OSError:
            pass
        return b"\n" if cut else b""

    def close(self):
        # What the machine printed last (its halt) still reaches each connection;
        # one that stops reading is cut off after CLOSE_GRACE seconds, as under Node.
        for c in list(self.clients):
            try:
                c.settimeout(CLOSE_GRACE)
                c.sendall(bytes(self.unsent.get(c, b"")))
            except OSError:
                pass
            self._drop(c)
        self.server.close()
        try:
            os.unlink(self.path)
        except OSError:
            pass
