-- wrk: each request carries the next Bearer token of the file $TOKENS (one per line), round
-- and round, so a resolver's token cache (16 MiB by default) never holds the next one
-- when the file has more tokens than that.
local tokens = {}
for line in io.lines(os.getenv("TOKENS")) do
  tokens[#tokens + 1] = line
end
local i = 0
request = function()
  i = i % #tokens + 1
  return wrk.format("GET", "/ping", { ["Authorization"] = "Bearer " .. tokens[i] })
end
