"""Command line: `python manage.py COMMAND`. Every command uses the same code as the API.

  serve [--host H] [--port P]      apply migrations and run the API (GraphiQL in development)
  migrate                          apply migrations
  create-admin LOGIN "FULL NAME"   first admin of a fresh installation; prints its token
  create-token LOGIN [LABEL]       a new token for an existing user; prints it
  load-demo                        a realistic demo set (miners, data centers, pools, users)
  audit-checkpoint                 sign the audit chain's head (table + AUDIT_CHECKPOINT_FILE)
  verify-audit                     verify the audit chain against its checkpoints; exit 1 if broken
  export-schema [PATH]             write the GraphQL SDL (default: schema.graphql)
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from settings import Settings


async def _with_db(coro_factory):  # type: ignore[no-untyped-def]
    from models.db import close_db, init_db

    await init_db(Settings.from_env().database_url)
    try:
        return await coro_factory()
    finally:
        await close_db()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="manage.py", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    sub.add_parser("migrate")
    admin = sub.add_parser("create-admin")
    admin.add_argument("login")
    admin.add_argument("full_name")
    token = sub.add_parser("create-token")
    token.add_argument("login")
    token.add_argument("label", nargs="?", default="cli")
    sub.add_parser("load-demo")
    sub.add_parser("audit-checkpoint")
    sub.add_parser("verify-audit")
    export = sub.add_parser("export-schema")
    export.add_argument("path", nargs="?", default=None)
    args = parser.parse_args(argv)

    if args.command == "serve":
        import uvicorn

        settings = Settings.from_env()
        print(f"Database: {settings.database_url}")
        print(f"Jobs: {'arq worker on ' + settings.redis_url if settings.redis_url else 'in-process (no REDIS_URL)'}")
        print(f"GraphiQL: http://{args.host}:{args.port}/graphql", flush=True)
        uvicorn.run("main:create_app", factory=True, host=args.host, port=args.port, loop="eventloop:new_event_loop")
        return 0
    if args.command == "migrate":
        asyncio.run(_with_db(lambda: asyncio.sleep(0)))
        print("migrations applied")
        return 0
    if args.command == "create-admin":
        from resolvers.auth import bootstrap_admin

        _, secret = asyncio.run(_with_db(lambda: bootstrap_admin(args.login, args.full_name)))
        print(secret)
        return 0
    if args.command == "create-token":
        from models.access import User
        from resolvers.auth import IssueToken, issue_token
        from resolvers.tokens import token_policy
        from rules.access import SYSTEM

        async def make_token() -> str:
            user = await User.get_or_none(login=args.login)
            if user is None:
                raise SystemExit(f"no user {args.login}")
            return (await issue_token(SYSTEM, IssueToken(user.id, args.label), token_policy(Settings.from_env()))).secret

        print(asyncio.run(_with_db(make_token)))
        return 0
    if args.command == "load-demo":
        from demo import load_demo

        for line in asyncio.run(_with_db(load_demo)):
            print(line)
        return 0
    if args.command == "audit-checkpoint":
        from resolvers.audit_checkpoint import write_checkpoint

        settings = Settings.from_env()
        checkpoint = asyncio.run(_with_db(lambda: write_checkpoint(settings)))
        print(f"checkpoint at event {checkpoint.seq}, appended to {settings.audit_checkpoint_file}"
              if checkpoint else "no new events since the last checkpoint")
        return 0
    if args.command == "verify-audit":
        from resolvers.audit import verify_audit_chain
        from rules.access import SYSTEM

        report = asyncio.run(_with_db(lambda: verify_audit_chain(SYSTEM, Settings.from_env())))
        print(f"ok={report.ok} checked={report.checked} checkpoints={report.checkpoints}"
              + ("" if report.ok else f" problem={report.problem.value if report.problem else None}"
                 f" event={report.first_broken_id} checkpoint={report.checkpoint_seq}"))
        return 0 if report.ok else 1
    if args.command == "export-schema":
        from schema.schema import SCHEMA_FILE, schema_sdl

        path = args.path or SCHEMA_FILE
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(schema_sdl())
        print(f"wrote {path}")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
