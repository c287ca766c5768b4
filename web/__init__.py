"""The HTTP edge: what every request meets before GraphQL runs (body size, time and rate limits,
malformed requests, security headers, CORS). `web.stack.edge_middleware` lists the middlewares;
this package imports nothing eagerly, so `resolvers.auth` may use `web.auth_failures`."""
