"""AuthService: registration, login and token checks, written against UserRepository only."""

from __future__ import annotations

from dataclasses import dataclass

from .. import domain
from ..domain import FieldErrors, User
from ..errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from ..repository.base import UserRepository
from ..security.passwords import HashingSlots, PasswordHasher
from ..security.ratelimit import AttemptLimiter, LoginRateLimiter, registration_key
from ..security.rbac import can
from ..security.tokens import TokenService


@dataclass(frozen=True)
class IssuedToken:
    """What a successful login returns."""

    token: str
    expires_in: int
    user: User


class AuthService:
    """Who may register with which role, how passwords are checked, and who a token names.

    Role rules for registration:
    - the very first account in an empty system becomes admin (someone must run it);
    - an admin may create accounts with any role;
    - everyone else gets viewer, and asking for a higher role is refused (403).
    """

    def __init__(
        self,
        users: UserRepository,
        *,
        hasher: PasswordHasher,
        tokens: TokenService,
        limiter: LoginRateLimiter,
        registrations: AttemptLimiter | None = None,
        slots: HashingSlots | None = None,
    ) -> None:
        self._users = users
        self._hasher = hasher
        self._tokens = tokens
        self._limiter = limiter
        self._registrations = registrations
        self._slots = slots or HashingSlots(64, 60.0)

    def register(
        self,
        username: str,
        password: str,
        role: str | None = None,
        *,
        actor: User | None = None,
        client: str | None = None,
    ) -> User:
        """Create an account; see the class docstring for the role rules.

        Anonymous registrations count against the client's registration limit (admins
        creating accounts do not), before the password is hashed.
        """
        errors = FieldErrors()
        errors.check("username", domain.clean_username, username)
        errors.check("password", domain.clean_password, password)
        if role is not None:
            errors.check("role", domain.clean_role, role)
        if errors:
            raise ValidationFailed("some fields are invalid", details=errors.errors)
        if actor is None and self._registrations is not None:
            self._registrations.attempt(registration_key(client))
        # Hash before the transaction: hashing is slow on purpose and must not hold the lock.
        with self._slots.slot():
            password_hash = self._hasher.hash(password)
        with self._users.atomic():
            granted = self._granted_role(role, actor)
            if self._users.get_credentials(username) is not None:
                raise Conflict(f"username {username!r} is already taken")
            return self._users.add_user(username, password_hash, granted)

    def _granted_role(self, requested: str | None, actor: User | None) -> str:
        if self._users.count_users() == 0:
            return "admin"
        if actor is not None and can(actor.role, "manage_users"):
            return requested or "viewer"
        if requested not in (None, "viewer"):
            raise Forbidden(f"only an admin can create {requested} accounts")
        return "viewer"

    def login(self, username: object, password: object, client: str | None) -> IssuedToken:
        """A token for valid credentials; Unauthorized otherwise, RateLimited when blocked."""
        if not isinstance(username, str) or not isinstance(password, str):
            raise ValidationFailed("username and password must be strings")
        key = self._limiter.key(username, client)
        # Counted before the slow hash, in one atomic step, so a burst of concurrent guesses
        # cannot all pass a check that none of them has recorded yet.
        self._limiter.attempt(key)
        with self._slots.slot():
            found = self._users.get_credentials(username)
            if found is None:
                # Unknown user: spend the same time on a decoy hash, so timing does not tell.
                self._hasher.verify_decoy(password)
                valid = False
            else:
                valid = self._hasher.verify(password, found.password_hash)
            if valid and self._hasher.needs_rehash(found.password_hash):
                with self._users.atomic():
                    self._users.set_password_hash(found.user.id, self._hasher.hash(password))
        if not valid:
            raise Unauthorized("invalid username or password")
        self._limiter.reset(key)
        token = self._tokens.issue(found.user.id)
        return IssuedToken(token, self._tokens.ttl_seconds, found.user)

    def authenticate(self, token: str) -> User:
        """The user a token belongs to, with their current role; Unauthorized otherwise."""
        user = self._users.get_user(self._tokens.verify(token))
        if user is None:
            raise Unauthorized("the account for this token no longer exists")
        return user

    def list_users(self) -> list[User]:
        """All accounts (without password hashes)."""
        return self._users.list_users()

    def change_role(self, user_id: int, role: object) -> User:
        """Give a user another role; the last admin cannot be demoted."""
        errors = FieldErrors()
        role = errors.check("role", domain.clean_role, role)
        if errors:
            raise ValidationFailed("some fields are invalid", details=errors.errors)
        with self._users.atomic():
            user = self._users.get_user(user_id)
            if user is None:
                raise NotFound(f"user {user_id} does not exist")
            if user.role == "admin" and role != "admin" and self._users.count_users("admin") == 1:
                raise Conflict("cannot demote the last admin")
            self._users.set_role(user_id, role)
            return self._users.get_user(user_id)
