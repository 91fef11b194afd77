"""`python -m coursesite build | serve`: build the course website, or serve it on loopback."""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import sys
from pathlib import Path

from .build import SITE_DIR, STAGE_DIR, SiteError, build
from .vendor import VendorError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m coursesite", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build_command = commands.add_parser("build", help="build the site into build/site")
    build_command.add_argument("--site-dir", type=Path, default=SITE_DIR)
    build_command.add_argument("--stage-dir", type=Path, default=STAGE_DIR)
    serve = commands.add_parser("serve", help="serve build/site on 127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)

    if args.command == "build":
        try:
            seconds = build(site_dir=args.site_dir.resolve(), stage_dir=args.stage_dir.resolve())
        except (SiteError, VendorError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(f"Site built in {seconds:.1f} s: open {args.site_dir / 'index.html'}")
        return 0

    if not (SITE_DIR / "index.html").is_file():
        print("error: no site yet; run `make site` first", file=sys.stderr)
        return 1
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(SITE_DIR))
    with http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler) as server:
        print(f"Serving the course on http://127.0.0.1:{args.port}/index.html (Ctrl+C stops)")
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
