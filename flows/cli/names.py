"""`eduplan names [accept]`: names no rule resolves, and the aliases a person accepts."""

from __future__ import annotations

import argparse
import sys

from flows.cli.common import EXIT_FAILED, EXIT_OK, add_warehouse_option, published_warehouse


def cmd_names(args: argparse.Namespace) -> int:
    """List the published warehouse's unresolved names, or accept an alias for one."""
    from flows.unresolved_names import AliasError, accept_alias, unresolved_names

    if args.names_command == "accept":
        kind = "region" if args.region else "indicator"
        try:
            path = accept_alias(kind, args.name, args.code)
        except (AliasError, OSError) as error:
            print(f"eduplan names accept: {error}", file=sys.stderr)
            return EXIT_FAILED
        print(f"{path}: {args.name!r} -> {args.code} (resolved from the next run)")
        return EXIT_OK
    warehouse = published_warehouse(args, "names")
    if warehouse is None:
        return EXIT_FAILED
    names = unresolved_names(warehouse)
    for name in names:
        print(name.format())
    if not names:
        print("every name resolves")
    return EXIT_OK


def add_names_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    names = commands.add_parser(
        "names",
        help="list names no rule resolves, with their best candidates; accept an alias",
        description="List the indicator and region names of the published warehouse that no "
        "alias resolves, one line each with its three most similar catalogue codes. "
        "`names accept NAME CODE` adds the alias to dbt/seeds (the next run resolves it).",
    )
    add_warehouse_option(names)
    names.set_defaults(handler=cmd_names, names_command=None)
    actions = names.add_subparsers(
        dest="names_command",
        metavar="[accept]",
        title="optional action",
        description="without one, the names are listed",
    )
    accept = actions.add_parser(
        "accept",
        help="add NAME -> CODE to dbt/seeds/indicator_aliases.csv (or region_aliases.csv)",
        description="Append an alias after checking that CODE is in the catalogue and NAME has "
        "no alias yet.",
    )
    accept.add_argument("name", metavar="NAME", help="the name as written in the source")
    accept.add_argument("code", metavar="CODE", help="indicator_code (or region_code)")
    accept.add_argument("--region", action="store_true", help="NAME is a region name")
