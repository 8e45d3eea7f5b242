"""A real MQTT peer for the tests: Debian's mosquitto on 127.0.0.1 on a free
port (Broker), and a minimal MQTT 3.1.1 client written here in python3
stdlib (Client, QoS 0/1), shared by the MQTT suite, the flood test and the
soak."""
import json
import os
import pwd
import socket
import struct
import subprocess
import tempfile
import threading
import time


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Broker:
    """A real mosquitto on loopback; users = {name: password} for auth."""

    def __init__(self, users=None, port=None, tls=None, parent=None,
                 acl=None):
        self.port = port or free_port()
        self.dir = tempfile.mkdtemp(dir=parent, prefix="broker-")
        self.conf = os.path.join(self.dir, "mosquitto.conf")
        # Run as whoever runs the tests: as root mosquitto would otherwise
        # switch to user "mosquitto", who cannot read our private temp dir.
        lines = ["listener %d 127.0.0.1" % self.port, "persistence false",
                 "log_dest stderr", "set_tcp_nodelay true",
                 "user " + pwd.getpwuid(os.getuid()).pw_name]
        if users:
            pw = os.path.join(self.dir, "passwd")
            for i, (u, p) in enumerate(users.items()):
                args = ["mosquitto_passwd", "-b"] + (["-c"] if i == 0 else [])
                subprocess.run(args + [pw, u, p], check=True,
                               capture_output=True)
            lines += ["allow_anonymous false", "password_file " + pw]
        else:
            lines += ["allow_anonymous true"]
        if tls:
            lines += ["cafile " + tls["ca"], "certfile " + tls["cert"],
                      "keyfile " + tls["key"]]
        if acl:
            lines += ["acl_file " + acl]
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.proc = None
        self.start()

    def start(self):
        self.log = open(os.path.join(self.dir, "broker.log"), "a")
        self.proc = subprocess.Popen(["mosquitto", "-c", self.conf],
                                     stdout=self.log, stderr=self.log)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise AssertionError("mosquitto exited: %s" % open(
                        os.path.join(self.dir, "broker.log")).read()[-500:])
                time.sleep(0.05)
        raise AssertionError("mosquitto did not listen on %d" % self.port)

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.log.close()

    stop = kill


class Client:
    """A minimal MQTT 3.1.1 client: connect, subscribe, publish (QoS 0/1),
    and every message received kept with its arrival time."""

    def __init__(self, port, client_id=None, username=None, password=None):
        self.sock = socket.create_connection(("127.0.0.1", port), 5)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.msgs = []
        self.cv = threading.Condition()
        self.next_id = 1
        self.acks = set()
        self.closed = False
        cid = (client_id or "t-%d-%d" % (os.getpid(), id(self))).encode()
        flags = 0x02
        payload = self._str(cid)
        if username:
            flags |= 0x80
            payload += self._str(username.encode())
        if password:
            flags |= 0x40
            payload += self._str(password.encode())
        var = self._str(b"MQTT") + bytes([4, flags]) + struct.pack(">H", 0)
        self._send(0x10, var + payload)
        kind, body = self._read_packet()
        assert kind == 0x20 and body[1] == 0, "CONNACK %r" % body
        self.sock.settimeout(None)
        threading.Thread(target=self._reader, daemon=True).start()

    @staticmethod
    def _str(b):
        return struct.pack(">H", len(b)) + b

    def _send(self, first, body):
        n, enc = len(body), b""
        while True:
            d, n = n % 128, n // 128
            enc += bytes([d | (0x80 if n else 0)])
            if not n:
                break
        self.sock.sendall(bytes([first]) + enc + body)

    def _recv(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise EOFError
            buf += chunk
        return buf

    def _read_packet(self):
        first = self._recv(1)[0]
        mult, length = 1, 0
        while True:
            d = self._recv(1)[0]
            length += (d & 127) * mult
            mult *= 128
            if not d & 128:
                break
        return first, self._recv(length)

    def _reader(self):
        try:
            while True:
                first, body = self._read_packet()
                kind = first & 0xF0
                if kind == 0x30:
                    qos = (first >> 1) & 3
                    tl = struct.unpack(">H", body[:2])[0]
                    topic = body[2:2 + tl].decode()
                    pos = 2 + tl
                    if qos:
                        pid = body[pos:pos + 2]
                        pos += 2
                        self._send(0x40, pid)
                    with self.cv:
                        self.msgs.append((time.time(), topic, body[pos:],
                                          bool(first & 1)))
                        self.cv.notify_all()
                elif kind in (0x40, 0x90):
                    with self.cv:
                        self.acks.add(struct.unpack(">H", body[:2])[0])
                        self.cv.notify_all()
        except (EOFError, OSError):
            with self.cv:
                self.closed = True
                self.cv.notify_all()

    def _pid(self):
        pid = self.next_id
        self.next_id = self.next_id % 65535 + 1
        return pid

    def _wait_ack(self, pid, timeout=5):
        with self.cv:
            ok = self.cv.wait_for(lambda: pid in self.acks or self.closed,
                                  timeout)
            assert ok and pid in self.acks, "no ack for %d" % pid

    def subscribe(self, *topics):
        pid = self._pid()
        body = struct.pack(">H", pid)
        for t in topics:
            body += self._str(t.encode()) + bytes([1])
        self._send(0x82, body)
        self._wait_ack(pid)

    def publish(self, topic, payload, qos=1, retain=False):
        if isinstance(payload, (dict, list)):
            payload = json.dumps(payload)
        if isinstance(payload, str):
            payload = payload.encode()
        body = self._str(topic.encode())
        pid = None
        if qos:
            pid = self._pid()
            body += struct.pack(">H", pid)
        self._send(0x30 | (qos << 1) | (1 if retain else 0), body + payload)
        if pid:
            self._wait_ack(pid)

    def mark(self):
        with self.cv:
            return len(self.msgs)

    def wait(self, topic, pred=None, since=0, timeout=10):
        """The first message on topic (from index since) whose JSON payload
        satisfies pred; returns (time, payload as JSON or text, retain)."""
        deadline = time.time() + timeout

        def find():
            for t, tp, p, r in self.msgs[since:]:
                if tp != topic:
                    continue
                try:
                    v = json.loads(p)
                except ValueError:
                    v = p.decode(errors="replace")
                if pred is None or pred(v):
                    return (t, v, r)
            return None
        with self.cv:
            while True:
                got = find()
                if got:
                    return got
                left = deadline - time.time()
                if left <= 0:
                    seen = [(tp, p[:120]) for _, tp, p, _ in self.msgs[since:]
                            if tp == topic][-3:]
                    raise AssertionError("nothing on %s matched in %gs; last: %r"
                                         % (topic, timeout, seen))
                self.cv.wait(left)

    def last(self, topic):
        with self.cv:
            for _, tp, p, _ in reversed(self.msgs):
                if tp == topic:
                    return json.loads(p)
        return None

    def close(self):
        try:
            self._send(0xE0, b"")
            self.sock.close()
        except OSError:
            pass
