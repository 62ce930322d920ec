"""Journeys that exercise every node type the compiler emits (action, wait, both splits, listen, merge)."""

from __future__ import annotations

from typing import Any

ENTERPRISE: dict[str, Any] = {
    "id": "enterprise-onboarding",
    "name": "Enterprise onboarding",
    "audience": {"accountList": "strategic-accounts"},
    "reentry": {"enabled": False},
    "start": "welcome",
    "nodes": {
        "welcome": {
            "type": "action",
            "on": "people",
            "action": "send_email",
            "params": {"email": {"subject": "Welcome {{ person.firstName }}", "html": "<p>Hi</p>"}},
            "next": "wait-3d",
        },
        "wait-3d": {"type": "wait", "duration": "3d", "next": "size"},
        "size": {
            "type": "split",
            "by": "accounts",
            "paths": [
                {
                    "label": "Large",
                    "when": {"all": [{"attribute": "employees", "op": "gte", "value": 1000}]},
                    "next": "alert",
                },
                {"label": "Other accounts", "otherwise": True, "next": "listen"},
            ],
        },
        "alert": {
            "type": "action",
            "on": "accounts",
            "action": "send_sales_alert",
            "params": {"solutionInterest": "crm", "sendTo": ["owner", "sales@example.com"]},
            "next": "done",
        },
        "listen": {
            "type": "listen",
            "event": {"on": "people", "type": "email_clicked"},
            "timeout": {"duration": "7d", "next": "nurture"},
            "next": "by-title",
        },
        "by-title": {
            "type": "split",
            "by": "people",
            "paths": [
                {
                    "label": "Directors",
                    "when": {"all": [{"attribute": "jobTitle", "op": "contains", "value": "Director"}]},
                    "next": "score",
                },
                {"label": "Others", "otherwise": True, "next": "merged"},
            ],
        },
        "score": {
            "type": "action",
            "on": "people",
            "action": "change_score",
            "params": {"score": "Person Score", "change": "+10"},
            "next": "merged",
        },
        "merged": {"type": "merge", "next": "done"},
        "nurture": {
            "type": "action",
            "on": "people",
            "action": "marketo_add_to_list",
            "params": {"workspace": "Default", "list": "Nurture"},
            "next": "done",
        },
        "done": {"type": "end"},
    },
}
