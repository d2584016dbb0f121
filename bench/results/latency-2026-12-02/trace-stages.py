import re, sys, statistics
# Parses `perf trace -p PID` output of a chat -p 1 run; prints the median/p90 of each stage of a group.
pat = re.compile(r'^\s*([\d.]+) \(\s*([\d.]+)? ?(?:ms)?\): (\S.*?)/(\d+)\s+(\.\.\. \[continued\]: )?(\w+)\((.*?)\)\)?\s*(?:= (-?\d+))?')
ev = {}
for line in open(sys.argv[1]):
    if line.startswith('18446744'): continue
    m = pat.match(line)
    if not m: continue
    t, dur, comm, tid, cont, name, args, ret = m.groups()
    if dur is None: continue  # the start of a call that is continued later
    ev.setdefault(comm.strip(), []).append((float(t), float(dur), name, args, int(ret) if ret else None))
W = next(v for k, v in ev.items() if k.startswith('oc-messages'))
L = next(v for k, v in ev.items() if k.startswith('oc-appliance'))
W.sort(); L.sort()
def after(lst, t, pred):
    for e in lst:
        if e[0] >= t and pred(e): return e
    return None
st = {k: [] for k in ['send->worker pwrite', 'pwrite', 'fsync', 'fsync end->wake send', 'wake send->loop recv', 'loop recv->replies sent', 'replies->next SENDs read (client+loop wake)']}
for e in W:
    if e[2] != 'fsync': continue
    fs_end = e[0] + e[1]
    wk = after(W, fs_end, lambda x: x[2] == 'sendto' and 'len: 1)' in x[3] + ')')
    if not wk: continue
    lr = after(L, wk[0], lambda x: x[2] == 'recvfrom' and 'size: 64' in x[3] and (x[4] or 0) > 0)
    if not lr: continue
    sends = [x for x in L if x[0] > lr[0] and x[2] == 'sendto']
    if not sends: continue
    s1 = sends[0]
    nxt = after(L, s1[0], lambda x: x[2] == 'recvfrom' and 'size: 65536' in x[3] and (x[4] or 0) > 0)
    if not nxt: continue
    pw = after(W, nxt[0], lambda x: x[2] == 'pwrite64')
    if not pw: continue
    pwprev = [x for x in W if x[2] == 'pwrite64' and x[0] < e[0]]
    st['fsync'].append(e[1])
    st['fsync end->wake send'].append(wk[0] - fs_end)
    st['wake send->loop recv'].append(lr[0] - wk[0])
    st['loop recv->replies sent'].append(s1[0] + s1[1] - lr[0])
    st['replies->next SENDs read (client+loop wake)'].append(nxt[0] - (s1[0] + s1[1]))
    st['send->worker pwrite'].append(pw[0] - nxt[0])
    st['pwrite'].append(pw[1])
for k, v in st.items():
    v.sort()
    if v: print(f"{k:45s} n={len(v):5d} p50 {statistics.median(v)*1000:7.0f} us  p90 {v[int(len(v)*0.9)]*1000:7.0f} us")
