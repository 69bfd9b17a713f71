"""Documented problem responses more than one domain's endpoints answer about a case (``alt_response``): a case
the caller may not know about, a case they see but may not change, a stale version or a refused workflow step."""

from __future__ import annotations

from casus.api.schemas import ProblemSchema

CASE_NOT_FOUND = {"schema": ProblemSchema, "description": "No such case, or the caller may not know about it"}
CASE_CONFLICT = {"schema": ProblemSchema, "description": "The `version` is stale, or the workflow refused the step "
                                                         "(`failedGuards` lists the guard codes); nothing was changed"}
CASE_FORBIDDEN = {"schema": ProblemSchema, "description": "The caller may see the case but not change it"}
