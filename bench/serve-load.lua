-- wrk script of bench/serve-load: POSTs the JSON body in the file $BODY to /v1/score.
local f = assert(io.open(os.getenv("BODY"), "r"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
