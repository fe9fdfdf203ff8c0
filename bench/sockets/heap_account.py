# Heap account of idle WebSockets: which component retains how much per socket.
#
#   jmap -dump:live,format=b,file=d.hprof <node pid>      (with N idle sockets open)
#   python3 bench/sockets/heap_account.py d.hprof N
#
# For each per-socket component (Duro's socket stage + slot + table entry, the WebSocket
# sub-stream's interpreter, Pekko HTTP's connection stream interpreter, the pekko-io TCP actor, the
# stream actor), the retained size is what becomes unreachable from the GC roots when the
# component's objects are removed; shallow sizes assume compressed oops. Pure Python, no library;
# a dump of 1,000 sockets (~80 MB) takes about two minutes.
import sys, struct, collections, mmap
f = open(sys.argv[1], 'rb'); m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
NS = int(sys.argv[2])
p = m.find(b'\0') + 1 + 4 + 8
strings = {}; classname = {}; classinfo = {}; inst = {}; arrays = {}; prim = {}; roots = []
TS = {2:8, 4:1, 5:2, 6:4, 7:8, 8:1, 9:2, 10:4, 11:8}
def rid(q): return struct.unpack_from('>Q', m, q)[0]
RS = {0xff:8, 0x01:16, 0x02:16, 0x03:16, 0x04:12, 0x05:8, 0x06:12, 0x07:8, 0x08:16}
while p < len(m):
    tag = m[p]; ln = struct.unpack_from('>I', m, p+5)[0]; body = p + 9; p = body + ln
    if tag == 0x01: strings[rid(body)] = m[body+8:body+ln].decode('utf-8', 'replace')
    elif tag == 0x02: classname[rid(body+4)] = rid(body+16)
    elif tag in (0x0c, 0x1c):
        q = body; e = body + ln
        while q < e:
            st = m[q]; q += 1
            if st in RS: roots.append(rid(q)); q += RS[st]
            elif st == 0x20:
                cid = rid(q); sup = rid(q+12); q += 8+4+8*6+4
                ncp = struct.unpack_from('>H', m, q)[0]; q += 2
                for _ in range(ncp): t = m[q+2]; q += 3 + TS[t]
                nst = struct.unpack_from('>H', m, q)[0]; q += 2
                for _ in range(nst):
                    t = m[q+8]
                    if t == 2: roots.append(rid(q+9))
                    q += 9 + TS[t]
                nf = struct.unpack_from('>H', m, q)[0]; q += 2
                fl = []
                for _ in range(nf): fl.append((strings.get(rid(q), '?'), m[q+8])); q += 9
                classinfo[cid] = (sup, fl); roots.append(cid)
            elif st == 0x21:
                oid = rid(q); cid = rid(q+12); n = struct.unpack_from('>I', m, q+20)[0]
                inst[oid] = (cid, q+24, n); q += 24 + n
            elif st == 0x22:
                oid = rid(q); n = struct.unpack_from('>I', m, q+12)[0]; cid = rid(q+16)
                arrays[oid] = (cid, q+24, n); q += 24 + 8*n
            elif st == 0x23:
                oid = rid(q); n = struct.unpack_from('>I', m, q+12)[0]; t = m[q+16]
                prim[oid] = (t, n); q += 17 + n*TS[t]
            else: raise Exception('subtag %x' % st)
names = {cid: strings.get(sid, '?').replace('/', '.') for cid, sid in classname.items()}
layout = {}
def reflayout(cid):
    if cid in layout: return layout[cid]
    out = []; off = 0; c = cid
    while c and c in classinfo:
        sup, fl = classinfo[c]
        for fname, t in fl:
            if t == 2: out.append((off, fname))
            off += TS[t]
        c = sup
    layout[cid] = out; return out
def refs(o):
    if o in inst:
        cid, q, n = inst[o]
        return [rid(q+off) for off, _ in reflayout(cid)]
    if o in arrays:
        cid, q, n = arrays[o]
        return [rid(q+8*i) for i in range(n)]
    return []
isz = {}
def isize(cid):
    if cid not in isz:
        b = 12; c = cid
        while c and c in classinfo:
            sup, fl = classinfo[c]
            for fname, t in fl: b += 4 if t == 2 else TS[t]
            c = sup
        isz[cid] = (b + 7) // 8 * 8
    return isz[cid]
def size(o):  # shallow size, 64-bit compressed oops approximation
    if o in inst: return isize(inst[o][0])
    if o in arrays: return (16 + 4 * arrays[o][2] + 7) // 8 * 8
    if o in prim: t, n = prim[o]; return (16 + TS[t] * n + 7) // 8 * 8
    return 0
def field(o, name):
    cid, q, n = inst[o]
    off = 0; c = cid
    while c and c in classinfo:
        sup, fl = classinfo[c]
        for fname, t in fl:
            if fname == name and t == 2: return rid(q+off)
            off += TS[t]
        c = sup
def cname(o):
    if o in inst: return names.get(inst[o][0], '?')
    if o in arrays: return names.get(arrays[o][0], '?') + '[]'
    if o in prim: return 'prim[]'
    return '?'
def reach(excluded):
    seen = set(); stack = [r for r in roots if r not in excluded]
    while stack:
        o = stack.pop()
        if o in seen or o == 0: continue
        seen.add(o)
        for r in refs(o):
            if r and r not in seen and r not in excluded: stack.append(r)
    return seen
by = collections.defaultdict(list)
for o, (cid, q, n) in inst.items(): by[names.get(cid)].append(o)
def interp_parts(pred):
    out = set()
    for gi in by['org.apache.pekko.stream.impl.fusing.GraphInterpreter']:
        la = field(gi, 'logics'); ca = field(gi, 'connections')
        ls = refs(la) if la in arrays else []
        if pred([cname(l) for l in ls]):
            out.add(gi); out.add(la); out.update(ls)
            if ca in arrays: out.add(ca); out.update(refs(ca))
    return out
comps = collections.OrderedDict()
comps['Duro: socket stage logic + slot + table entry'] = set(by['io.duro.gateway.WebSocketConnection$Logic'] + by['io.duro.runtime.Connections$Slot'] + by['io.duro.runtime.internal.SocketTable$Entry'])
comps['Pekko: WebSocket sub-stream interpreter (SubSource, stage, SubSink)'] = interp_parts(lambda ls: any('SubSink' in l for l in ls))
comps['Pekko HTTP: server connection stream interpreter'] = interp_parts(lambda ls: any('TcpStreamLogic' in l for l in ls))
tcp = [o for o in by['org.apache.pekko.actor.ActorCell'] if cname(field(o, '_actor') or 0).endswith('TcpIncomingConnection')]
agi = [o for o in by['org.apache.pekko.actor.ActorCell'] if cname(field(o, '_actor') or 0).endswith('ActorGraphInterpreter')]
comps['Pekko IO: TcpIncomingConnection actor (+ channel)'] = set(tcp)
comps['Pekko Streams: ActorGraphInterpreter actor'] = set(agi)
base = reach(set())
total = sum(size(o) for o in base)
print('reachable objects', len(base), 'bytes', total)
for name, ex in comps.items():
    r = reach(ex); ret = base - r
    b = sum(size(o) for o in ret)
    cls = collections.Counter()
    for o in ret: cls[cname(o)] += size(o)
    print('%-70s %6d objects, %7.0f B/socket  (%d roots)' % (name, len(ret), b / NS, len(ex)))
    for c, s in cls.most_common(8): print('      %7.0f B  %s' % (s / NS, c))
allx = set().union(*comps.values())
r = reach(allx); ret = base - r
print('all components together: %.0f B/socket' % (sum(size(o) for o in ret) / NS))
