"""Checks requests (and the fake server's answers) against the official Quran Foundation specs.

The fake Quran Foundation server runs every request it receives through `SpecValidator`, so a bot
bug that the real server would reject (a missing header, a closed body with an extra key, a
parameter the environment does not know) fails the tests instead of passing against a lenient
fake. The specs are the source of truth; where a spec cannot describe a correct request, the fix
lives in `CORRECTIONS` (`documents`), the one place that records how and why we deviate from
the files.

Conventions the validator applies on top of OpenAPI 3.0:

* An operation absent from the document is an error (the real server answers 404).
* Query parameters the operation does not declare are errors. OpenAPI does not forbid them, but
  the bot must not rely on servers ignoring them: sending `lastMutationAt` to the production
  contract (which lacks it) is exactly the mistake this catches.
* Query, path, header and form values arrive as strings and are coerced to the schema's type
  before validation; untyped `oneOf` schemas (goal `amount`) accept the string if any
  interpretation (integer, number, boolean, text) validates.
* Per-operation `servers` matter: Quran Reflect operations such as `GET /v1/users/profile` are
  served under `/quran-reflect`, not `/auth`. Pass `base` to check it.

Modules: `documents` (the files, their corrections, loading), `operations` (paths as operations),
`wording` (string coercion, error messages), `validator` (`SpecValidator`).
"""

from sandbox.spec_validation.documents import (
    CORRECTIONS,
    SPEC_DIR,
    ContractName,
    Correction,
    DocumentName,
)
from sandbox.spec_validation.validator import (
    IssueKind,
    OperationMatch,
    SpecValidator,
    ValidationIssue,
)

__all__ = [
    "CORRECTIONS",
    "SPEC_DIR",
    "ContractName",
    "Correction",
    "DocumentName",
    "IssueKind",
    "OperationMatch",
    "SpecValidator",
    "ValidationIssue",
]
