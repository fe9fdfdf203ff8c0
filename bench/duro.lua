-- wrk script for the Duro benchmarks. The mode comes from the environment:
--   BENCH_MODE=get     GET BENCH_PATH                      (hot-get, baseline)
--   BENCH_MODE=post    POST BENCH_PATH                     (hot-inc)
--   BENCH_MODE=spread  POST /counter/<prefix><0..N-1>/increment, uniformly at random (spread-inc)
--   BENCH_MODE=new     POST /counter/<prefix><thread>-<seq>/increment, every request a new object
-- Every response status is counted, so the caller can check counters against the 2xx count.
-- Requests written but unanswered when wrk stops (at most one per connection) may still have been
-- applied by the server, so a counter must lie between the 2xx count and the sent count.
-- done() prints one machine-readable line starting with "RESULT". Its latencies are wrk's, which
-- wrk corrects for coordinated omission (it adds samples for the requests a constant-rate client
-- would have sent during a slow answer), so mean_us exceeds what Little's law allows when the
-- server stalls (docs/benchmarks.md, "The young collections and the hot-inc tail").
-- Optional, for bench/cluster.sh:
--   BENCH_SELF_NODE=host:port  counts the answers whose Duro-Node header names another node (the
--                              object ran elsewhere than the gateway's node): remote= in RESULT
--   BENCH_QUANTILES=FILE       writes the latency quantile grid to FILE ("count N", then "p us"
--                              lines: 0.1..99.0 by 0.1, 99.01..99.99 by 0.01, 100 = the max),
--                              so that the latencies of several wrk processes can be merged

local mode = os.getenv("BENCH_MODE") or "get"
local path = os.getenv("BENCH_PATH") or "/"
local prefix = os.getenv("BENCH_PREFIX") or "o"
local objects = tonumber(os.getenv("BENCH_OBJECTS") or "10000")
local run = os.getenv("BENCH_RUN") or "" -- warm-up and measured run of "new" use distinct names
local self_node = os.getenv("BENCH_SELF_NODE")
local quantiles = os.getenv("BENCH_QUANTILES")

local threads = {}
local counter = 1

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  ok = 0
  bad = 0
  sent = 0
  remote = 0
  seq = 0
  math.randomseed(os.time() * 1000 + id)
  if mode == "get" then
    fixed = wrk.format("GET", path)
  elseif mode == "post" then
    fixed = wrk.format("POST", path)
  end
end

function request()
  sent = sent + 1
  if fixed then
    return fixed
  end
  if mode == "spread" then
    return wrk.format("POST", "/counter/" .. prefix .. math.random(0, objects - 1) .. "/increment")
  end
  seq = seq + 1
  return wrk.format("POST", "/counter/" .. prefix .. run .. id .. "-" .. seq .. "/increment")
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
  else
    bad = bad + 1
  end
  if self_node then
    local node = headers["Duro-Node"]
    if node and node ~= self_node then
      remote = remote + 1
    end
  end
end

function done(summary, latency, requests)
  local total_ok, total_bad, total_sent, total_remote = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    total_ok = total_ok + t:get("ok")
    total_bad = total_bad + t:get("bad")
    total_sent = total_sent + t:get("sent")
    total_remote = total_remote + t:get("remote")
  end
  if quantiles then
    local f = assert(io.open(quantiles, "w"))
    f:write(string.format("count %d\n", summary.requests))
    for i = 1, 990 do
      f:write(string.format("%.2f %d\n", i / 10, latency:percentile(i / 10)))
    end
    for i = 9901, 9999 do
      f:write(string.format("%.2f %d\n", i / 100, latency:percentile(i / 100)))
    end
    f:write(string.format("100.00 %d\n", latency.max)) -- percentile(100) rounds past the count
    f:close()
  end
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d sent=%d ok=%d non2xx=%d sockerr=%d p50_us=%d p99_us=%d max_us=%d remote=%d mean_us=%d\n",
    summary.requests, summary.duration, total_sent, total_ok, total_bad,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max, total_remote, latency.mean))
end
