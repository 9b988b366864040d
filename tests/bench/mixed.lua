-- Mixed read load for wrk: replays the request lines of a file
-- ("METHOD PATH [BODY]", one per line, written by workloads.py) round-robin
-- over every connection, with Basic auth on every request.
-- Usage: wrk -s mixed.lua URL -- "Basic ..."|- REQUEST_FILE
local reqs = {}
local counter = 0

function init(args)
  local auth = args[1]
  for line in io.lines(args[2]) do
    local method, path, body = line:match("^(%S+) (%S+) ?(.*)$")
    local headers = {}
    if auth ~= "-" then headers["Authorization"] = auth end
    if method == "PROPFIND" then headers["Depth"] = "0" end
    if method == "REPORT" then headers["Depth"] = "1" end
    if body ~= "" then
      headers["Content-Type"] = "application/xml; charset=utf-8"
    else
      body = nil
    end
    reqs[#reqs + 1] = wrk.format(method, path, headers, body)
  end
  -- each thread starts at a different place in the list
  counter = math.random(#reqs)
end

function request()
  counter = counter + 1
  return reqs[(counter % #reqs) + 1]
end

-- one machine-readable line: requests, duration (us), socket errors,
-- non-2xx/3xx answers, then p50 p90 p99 latency in ms
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("MIXED %d %d %d %d %.2f %.2f %.2f\n", summary.requests,
    summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50) / 1000.0, latency:percentile(90) / 1000.0,
    latency:percentile(99) / 1000.0))
end
