"""Graph rules: reachability, ends, cycles, split and merge structure, the one-year limit."""

from __future__ import annotations

from collections.abc import Iterator

from journeys.definition.durations import MAX_SECONDS, format_seconds
from journeys.definition.model import (
    ActionNode,
    BuyingGroupCondition,
    EndNode,
    ListenNode,
    MergeNode,
    Node,
    SplitNode,
    WaitNode,
    successors,
)
from journeys.issues import Issue


def edges(node: Node) -> Iterator[tuple[str, str]]:
    """(field, target) of every outgoing edge."""
    if isinstance(node, SplitNode):
        for i, path in enumerate(node.paths):
            yield f"paths[{i}].next", path.next
    elif isinstance(node, ListenNode):
        yield "next", node.next
        if node.timeout and node.timeout.next:
            yield "timeout.next", node.timeout.next
    elif not isinstance(node, EndNode):
        yield "next", node.next


def check_graph(nodes: dict[str, Node], node_ids: set[str], start: str | None) -> list[Issue]:
    issues: list[Issue] = []
    if start is not None and start not in node_ids:
        issues.append(Issue(node="(journey)", field="start", message=f"unknown node '{start}'"))
    for node_id, node in nodes.items():
        for field, target in edges(node):
            if target not in node_ids:
                issues.append(Issue(node=node_id, field=field, message=f"unknown node '{target}'"))
            elif target == node_id:
                issues.append(Issue(node=node_id, field=field, message="a node cannot lead to itself"))
    issues += _reachability(nodes, node_ids, start)
    cycle_issues = _cycles(nodes)
    issues += cycle_issues
    issues += _splits(nodes)
    for node_id, node in nodes.items():
        issues += _limits(node_id, node)
    if not cycle_issues and start in nodes:
        longest = _longest_seconds(nodes, start)
        # An execution lives at most a year: a path that waits a whole year has no time left to act.
        if longest >= MAX_SECONDS:
            issues.append(
                Issue(
                    node="(journey)",
                    field="nodes",
                    message=(
                        f"the longest path waits {format_seconds(longest)}; a journey must fit within 365 days"
                    ),
                )
            )
    return issues


def _reachability(nodes: dict[str, Node], node_ids: set[str], start: str | None) -> list[Issue]:
    if start is None or start not in node_ids:
        return []
    seen = {start}
    stack = [start]
    while stack:
        node = nodes.get(stack.pop())
        if node is None:
            continue
        for nxt in successors(node):
            if nxt in node_ids and nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return [
        Issue(node=n, field="(node)", message="is not reachable from start") for n in sorted(node_ids - seen)
    ]


def _cycles(nodes: dict[str, Node]) -> list[Issue]:
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(nodes, white)
    issues: list[Issue] = []
    for root in nodes:
        if colour[root] != white:
            continue
        stack: list[tuple[str, Iterator[tuple[str, str]]]] = [(root, edges(nodes[root]))]
        colour[root] = grey
        trail = [root]
        while stack:
            node_id, it = stack[-1]
            for field, nxt in it:
                if nxt not in nodes or nxt == node_id:
                    continue
                if colour[nxt] == grey:
                    loop = [*trail[trail.index(nxt) :], nxt]
                    issues.append(
                        Issue(
                            node=node_id,
                            field=field,
                            message=f"makes a cycle ({' -> '.join(loop)}); journeys cannot loop",
                        )
                    )
                elif colour[nxt] == white:
                    colour[nxt] = grey
                    trail.append(nxt)
                    stack.append((nxt, edges(nodes[nxt])))
                    break
            else:
                colour[node_id] = black
                trail.pop()
                stack.pop()
    return issues


def _limits(node_id: str, node: Node) -> list[Issue]:
    if isinstance(node, WaitNode) and node.seconds > MAX_SECONDS:
        return [Issue(node=node_id, field="duration", message="a wait is at most 365 days")]
    if isinstance(node, ListenNode) and node.timeout and node.timeout.seconds > MAX_SECONDS:
        return [Issue(node=node_id, field="timeout.duration", message="a timeout is at most 365 days")]
    return []


def _delay(node: Node) -> int:
    if isinstance(node, WaitNode):
        return node.seconds
    if isinstance(node, ListenNode) and node.timeout:
        return node.timeout.seconds
    return 0


def _longest_seconds(nodes: dict[str, Node], start: str) -> int:
    memo: dict[str, int] = {}
    order: list[str] = []
    seen: set[str] = set()
    stack = [(start, False)]
    while stack:  # iterative post-order: deep journeys must not hit the recursion limit
        node_id, done = stack.pop()
        if done:
            order.append(node_id)
            continue
        if node_id in seen or node_id not in nodes:
            continue
        seen.add(node_id)
        stack.append((node_id, True))
        stack.extend((n, False) for n in successors(nodes[node_id]))
    for node_id in order:
        after = [memo.get(n, 0) for n in successors(nodes[node_id]) if n in nodes]
        memo[node_id] = _delay(nodes[node_id]) + max(after, default=0)
    return memo.get(start, 0)


def _splits(nodes: dict[str, Node]) -> list[Issue]:
    issues: list[Issue] = []
    for node_id, node in nodes.items():
        if not isinstance(node, SplitNode):
            continue
        for i, path in enumerate(node.paths):
            if path.otherwise and i != len(node.paths) - 1:
                issues.append(
                    Issue(
                        node=node_id,
                        field=f"paths[{i}].otherwise",
                        message="the otherwise path must be the last one",
                    )
                )
            if node.by == "people" and path.when is not None:
                for j, cond in enumerate(path.when.items):
                    if isinstance(cond, BuyingGroupCondition):
                        issues.append(
                            Issue(
                                node=node_id,
                                field=f"paths[{i}].when.{path.when.mode}[{j}]",
                                message="buying-group facts can only be tested in a split by accounts",
                            )
                        )
        if sum(p.otherwise for p in node.paths) > 1:
            issues.append(Issue(node=node_id, field="paths", message="at most one otherwise path"))
        if node.by == "people":
            issues += _people_split(node_id, node, nodes)
    return issues


def people_split_merge(split: SplitNode, nodes: dict[str, Node]) -> str | None:
    """The merge node that closes a split by people (the first merge on its first path)."""
    current: str | None = split.paths[0].next
    guard = 0
    while current in nodes and guard <= len(nodes):
        node = nodes[current]
        if isinstance(node, MergeNode):
            return current
        if not isinstance(node, ActionNode):
            return None
        current = node.next
        guard += 1
    return None


def _people_split(split_id: str, split: SplitNode, nodes: dict[str, Node]) -> list[Issue]:
    issues: list[Issue] = []
    merges: set[str] = set()
    inside: set[str] = set()
    for i, path in enumerate(split.paths):
        current, field, guard = path.next, f"paths[{i}].next", 0
        while current in nodes and guard <= len(nodes):
            guard += 1
            node = nodes[current]
            if isinstance(node, MergeNode):
                merges.add(current)
                break
            inside.add(current)
            if isinstance(node, ActionNode):
                if node.on != "people":
                    issues.append(
                        Issue(
                            node=current,
                            field="on",
                            message=(
                                f"account actions never run inside a split by people (split '{split_id}')"
                            ),
                        )
                    )
                current = node.next
                continue
            if isinstance(node, SplitNode) and node.by == "people":
                message = f"a split by people cannot be nested in another split by people ('{split_id}')"
            elif isinstance(node, EndNode):
                message = f"a path of the split by people '{split_id}' must close with a merge before it ends"
            else:
                message = (
                    f"only people action nodes are allowed inside the split by people '{split_id}', "
                    f"not a {node.type} node"
                )
            issues.append(Issue(node=current, field="type", message=message))
            break
        else:
            if current in nodes:
                issues.append(Issue(node=split_id, field=field, message="path does not close with a merge"))
    if len(merges) > 1:
        issues.append(
            Issue(
                node=split_id,
                field="paths",
                message=(
                    f"every path of a split by people closes with the same merge (found {', '.join(sorted(merges))})"
                ),
            )
        )
    for merge_id in merges:
        for other_id, other in nodes.items():
            if other_id in inside or other_id == split_id:
                continue
            if merge_id in successors(other):
                issues.append(
                    Issue(
                        node=other_id,
                        field="next",
                        message=(
                            f"'{merge_id}' closes the split by people '{split_id}'; only its paths may lead to it"
                        ),
                    )
                )
    return issues
