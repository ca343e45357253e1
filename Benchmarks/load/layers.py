"""Instructions per request by layer, from a callgrind profile of a server (scripts/bench-breakdown).

Every function's own instructions go to its layer: the library it is in (libmicrohttpd, SQLite,
OpenSSL) or, for Swift, its module and type (Store, Crypto, Templates, the HTTP server's exchange, its
response headers, its access log, the Portal). What the shared runtime does (malloc and free, memcpy
and memset, retains, releases and allocations of the Swift runtime, the standard library's arrays,
dictionaries and strings, locks) is charged to whoever called
it, in proportion to the calls' inclusive cost, so the layers add up to the total and a layer's figure
includes the allocations and the reference counting it causes. The runtime's share is also given
alone, per layer.

usage: layers.py CALLGRIND_OUT REQUESTS"""
import collections, re, sys

path, requests = sys.argv[1], int(sys.argv[2])

RUNTIME_OBJECTS = ("libswiftCore", "libc.so", "libFoundation", "libdispatch", "ld-linux", "libswift_Concurrency",
                   "libpthread", "libBlocksRuntime", "???", "vgpreload")

MODULE = re.compile(r"(9Templates|5Store|6Crypto|4HTTP|6Portal|7Threads|9clientone)(\d*)([A-Za-z_]\w*)?")

def layer(obj, name):
    if "libmicrohttpd" in obj: return "libmicrohttpd"
    if "libsqlite3" in obj: return "SQLite (the library)"
    if "libcrypto" in obj or "libssl" in obj: return "OpenSSL (the library)"
    if any(r in obj for r in RUNTIME_OBJECTS): return None
    if name in ("reply",): return "response headers (Swift side: checks, hand-over)"
    if not name.startswith("$"):
        # The console's C shims are the server's; anything else in C is profile_ref's handler.
        return "exchange, Swift side (HTTP: callbacks, Exchange, Request)" if obj.endswith("/clientone") \
            else "C handler: token, template, escaping"
    # A Swift symbol, or a standard-library generic specialised for one: the first module named in it.
    # The standard library's own generics (arrays growing, dictionaries, strings) count as the runtime.
    m = MODULE.search(name)
    if not m: return None
    module, rest = re.sub(r"^\d+", "", m.group(1)), (m.group(3) or "")
    typename = rest[:int(m.group(2))] if m.group(2) else ""
    if module == "Store": return "Store (Swift over SQLite)"
    if module == "Crypto": return "Crypto (Swift over OpenSSL)"
    if module == "Templates": return "render (Templates)"
    if module == "clientone" or typename in ("AccessLog", "LineWriter"): return "access log"
    if typename in ("PreparedResponse", "HTTPHeaders", "ASCII", "SecurityHeaders"): return "response headers (Swift side: checks, hand-over)"
    if typename in ("Router", "RoutePattern", "RouteMatch") or module == "Portal": return "routing, context, handler (Portal)"
    return "exchange, Swift side (HTTP: callbacks, Exchange, Request)"

self_cost = collections.Counter()
edges = collections.defaultdict(collections.Counter)   # callee -> caller -> inclusive cost
names = {"ob": {}, "fl": {}, "fn": {}}
def resolve(kind, text):
    m = re.match(r"\((\d+)\)(?: (.*))?", text)
    if not m: return text
    if m.group(2) is not None: names[kind][m.group(1)] = m.group(2)
    return names[kind][m.group(1)]

ob = cob = None; fn = cfn = None; pending_call = False
for line in open(path):
    line = line.rstrip("\n")
    if not line or line[0] == "#": continue
    key, _, value = line.partition("=")
    if _ and key in ("ob", "cob", "fl", "fi", "fe", "cfi", "cfl", "fn", "cfn", "calls"):
        if key == "ob": ob = resolve("ob", value); cob = None
        elif key == "cob": cob = resolve("ob", value)
        elif key in ("fl", "fi", "fe", "cfi", "cfl"): resolve("fl", value)
        elif key == "fn": fn = (ob, resolve("fn", value)); cob = None
        elif key == "cfn": cfn = resolve("fn", value)
        elif key == "calls": pending_call = True
        continue
    if not (line[0].isdigit() or line[0] in "+-*"): continue
    parts = line.split()
    cost = int(parts[1]) if len(parts) > 1 else 0
    if pending_call:
        callee = (cob or ob, cfn)
        if callee != fn: edges[callee][fn] += cost
        pending_call = False; cob = None
    else:
        self_cost[fn] += cost

functions = set(self_cost) | set(edges)
fixed = {f: layer(f[0] or "", f[1] or "") for f in functions}
# The runtime's functions take the layer mix of their callers, weighted by the calls' inclusive cost.
mix = {f: ({fixed[f]: 1.0} if fixed[f] else None) for f in functions}
for _ in range(30):
    for f in functions:
        if fixed[f]: continue
        total = collections.Counter()
        for caller, cost in edges[f].items():
            for name, share in (mix.get(caller) or {}).items(): total[name] += cost * share
        weight = sum(total.values())
        mix[f] = {name: value / weight for name, value in total.items()} if weight else {"unattributed": 1.0}
layers = collections.Counter(); runtime = collections.Counter()
for f, cost in self_cost.items():
    for name, share in (mix[f] or {"unattributed": 1.0}).items():
        layers[name] += cost * share
        if not fixed[f]: runtime[name] += cost * share
memset = sum(c for f, c in self_cost.items() if f[1] and "memset" in f[1])
total = sum(self_cost.values())
print(f"{'layer':<64} {'instructions':>12} {'of which runtime':>16}")
for name, cost in layers.most_common():
    print(f"{name:<64} {cost / requests:>12,.0f} {runtime[name] / requests:>16,.0f}")
print(f"{'total':<64} {total / requests:>12,.0f} {sum(runtime.values()) / requests:>16,.0f}")
print(f"(memset, nearly all libmicrohttpd clearing the connection's 32 KiB pool: {memset / requests:,.0f}; valgrind counts "
      f"each byte of a `rep stosb`, so this is a few hundred nanoseconds, not its count's worth)")

# With a third argument (part of a layer's name): that layer's functions, each with its own
# instructions plus the runtime calls it makes (inclusive), the biggest first.
if len(sys.argv) > 3:
    charge = collections.Counter()
    for callee, callers in edges.items():
        if fixed[callee]: continue
        for caller, cost in callers.items():
            if fixed[caller] and sys.argv[3] in fixed[caller]: charge[caller] += cost
    for f, cost in self_cost.items():
        if fixed[f] and sys.argv[3] in fixed[f]: charge[f] += cost
    for f, cost in charge.most_common(int(sys.argv[4]) if len(sys.argv) > 4 else 25):
        print(f"{cost / requests:>9,.0f}  {f[1][:150]}")
