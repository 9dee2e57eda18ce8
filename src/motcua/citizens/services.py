"""Portal accounts: sign up, confirm with a code, sign in with a password or through the national
identity provider (OpenID Connect), and what the account may see of the record (``trusted``).

Every write is one transaction with its audit entry. Sign-in attempts are counted before the password
is checked (``core.login``'s counters, under the account's own namespace); sign-ups, codes and resends
are limited per address and per account.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.citizens.models import Account, VerificationCode
from motcua.core import audit, login, people, throttle
from motcua.core.errors import DomainError
from motcua.core.models import Organisation, Person
from motcua.dossiers import notify
from motcua.integrations import outbox, registry
from motcua.workdays.domain import to_local

CODE_MINUTES = 10
CODE_ATTEMPTS = 5
# Topics of the outbox channels that reach the applicant (integrations.registry).
TOPIC_EMAIL, TOPIC_SMS = "thongbao.email", "thongbao.sms"


class AccountInvalid(DomainError):
    status = 422
    code = "account_invalid"

    def __init__(self, message: str, *, field: str = "", code: str | None = None) -> None:
        super().__init__(message, code=code, details={"field": field} if field else {})


class TooManyAttempts(DomainError):
    status = 429
    code = "too_many_attempts"


@dataclass(frozen=True)
class SignUp:
    kind: str  # Account.Kind
    id_number: str
    name: str
    password: str
    phone: str = ""
    email: str = ""
    birth_date: date | None = None
    representative: str = ""


def _limit(name: str, who: str, most: int, window: int) -> None:
    wait = throttle.attempt([throttle.Limit(throttle.key(name, who), most)], window)
    if wait:
        raise TooManyAttempts(
            f"Bạn đã thử quá nhiều lần; vui lòng thử lại sau {throttle.minutes(wait)} phút.",
            details=throttle.retry_details(wait),
        )


def _masked(contact: str) -> str:
    if "@" in contact:
        local, _, domain = contact.partition("@")
        return f"{local[:2]}***@{domain}"
    digits = "".join(ch for ch in contact if ch.isdigit())
    return f"{digits[:3]}****{digits[-3:]}" if len(digits) >= 6 else "***"


def _code_hash(account_id: int, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{account_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _send_code(account: Account, contact: str, on_record: bool) -> str:
    """A new activation code to ``contact`` (e-mail or phone) through the outbox; the masked contact."""
    code = f"{secrets.randbelow(10**6):06d}"
    now = timezone.now()
    row = VerificationCode.objects.create(
        account=account,
        purpose=VerificationCode.Purpose.ACTIVATE,
        code_hash=_code_hash(account.pk, code),
        sent_to=contact,
        to_contact_on_record=on_record,
        created_at=now,
        expires_at=now + timedelta(minutes=CODE_MINUTES),
    )
    until = f"{to_local(row.expires_at):%H:%M}"
    key = f"account-code:{row.pk}"
    if "@" in contact:
        domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "motcua"
        outbox.enqueue(
            TOPIC_EMAIL,
            f"tai-khoan-{account.pk}",
            {
                "to": contact,
                "subject": "Mã xác nhận tài khoản dịch vụ công",
                "body": (
                    f"Mã xác nhận tài khoản dịch vụ công của bạn là {code}. Mã dùng được một lần, đến "
                    f"{until}.\nNếu bạn không đăng ký tài khoản, hãy bỏ qua thư này; không đưa mã cho ai."
                ),
                "message_id": f"<code.{row.pk}@{domain}>",
            },
            key,
        )
    else:
        outbox.enqueue(
            TOPIC_SMS,
            f"tai-khoan-{account.pk}",
            {
                "phone": notify.international(contact),
                "text": f"Ma xac nhan tai khoan dich vu cong: {code} (het han luc {until}). "
                "Khong dua ma cho ai.",
            },
            key,
        )
    return _masked(contact)


@dataclass(frozen=True)
class Started:
    account: Account
    sent_to: str  # masked
    on_record: bool  # the code went to the contact the record already held


def sign_up(data: SignUp, *, ip: str | None) -> Started:
    """A new account for a citizen (by identity number) or an organisation (by tax code), waiting for
    the code sent to confirm it. When the record existed already with a phone or e-mail, the code goes
    there — whoever receives it is the person the state knows, and the account may then see the whole
    record; otherwise it goes to the contact given and the account sees only what it submits itself."""
    _limit("citizen-signup", ip or "-", 10, 3600)
    if data.kind not in Account.Kind.values:
        raise AccountInvalid("Hãy chọn tài khoản công dân hoặc tổ chức.", field="kind")
    if not data.phone.strip() and not data.email.strip():
        raise AccountInvalid("Cần số điện thoại hoặc thư điện tử để nhận mã xác nhận.", field="phone")
    try:
        validate_password(data.password)
    except ValidationError as exc:
        raise AccountInvalid(" ".join(str(m) for m in exc.messages), field="password") from None
    party: Person | Organisation
    with transaction.atomic():
        if data.kind == Account.Kind.PERSON:
            if data.birth_date is None:
                raise AccountInvalid("Hãy nhập ngày sinh.", field="birth_date")
            person, created = people.person(
                people.PersonIn(data.id_number, data.name, data.birth_date, data.phone, data.email)
            )
            if not created and person.birth_date and person.birth_date != data.birth_date:
                raise AccountInvalid(
                    "Ngày sinh không khớp với thông tin đã lưu của số định danh này.", field="birth_date"
                )
            party = person
        else:
            party, created = people.organisation(
                people.OrganisationIn(data.id_number, data.name, data.representative, data.phone, data.email)
            )
        existed = not created
        if _account_of(party) is not None:
            raise AccountInvalid(
                "Số định danh hoặc mã số thuế này đã có tài khoản. Hãy đăng nhập, hoặc đăng nhập bằng "
                "tài khoản định danh điện tử.",
                field="id_number",
                code="account_exists",
            )
        phone, email, _address = people.check_contact(data.phone, data.email)
        account = Account(
            kind=data.kind,
            email=email,
            phone=phone,
            password=make_password(data.password),
            **({"person": party} if isinstance(party, Person) else {"organisation": party}),
        )
        try:
            with transaction.atomic():
                account.save(force_insert=True)
        except IntegrityError:
            raise AccountInvalid(
                "Số định danh hoặc mã số thuế này đã có tài khoản.", field="id_number", code="account_exists"
            ) from None
        on_record_contact = (party.phone or party.email) if existed else ""
        contact = on_record_contact or email or phone
        sent_to = _send_code(account, contact, bool(on_record_contact))
        audit.record(
            "citizen.signed_up",
            object_type="citizens.account",
            object_id=str(account.pk),
            summary=f"Đăng ký tài khoản dịch vụ công ({account.get_kind_display()})",
            data={"code_to_record": bool(on_record_contact)},
        )
    return Started(account, sent_to, bool(on_record_contact))


def _account_of(party: Person | Organisation) -> Account | None:
    if isinstance(party, Person):
        return Account.objects.filter(person=party).first()
    return Account.objects.filter(organisation=party).first()


def confirm(account_id: int, code: str, *, ip: str | None) -> Account:
    """Confirm the account with the code sent (at most ``CODE_ATTEMPTS`` tries per code, within
    ``CODE_MINUTES``)."""
    _limit("citizen-code", f"{account_id}", 20, 3600)
    typed = "".join(ch for ch in code if ch.isascii() and ch.isdigit())
    with transaction.atomic():
        account = Account.objects.select_for_update().filter(pk=account_id).first()
        row = (
            VerificationCode.objects.select_for_update()
            .filter(account_id=account_id, purpose=VerificationCode.Purpose.ACTIVATE, used_at__isnull=True)
            .order_by("-created_at", "-id")
            .first()
        )
        now = timezone.now()
        if account is None or row is None or row.expires_at <= now or row.attempts >= CODE_ATTEMPTS:
            raise AccountInvalid("Mã đã hết hạn hoặc đã dùng hết số lần thử; hãy gửi lại mã.", field="code")
        row.attempts += 1
        if len(typed) != 6 or not hmac.compare_digest(row.code_hash, _code_hash(account_id, typed)):
            row.save(update_fields=["attempts"])
            left = CODE_ATTEMPTS - row.attempts
            raise AccountInvalid(f"Mã xác nhận không đúng (còn {left} lần thử).", field="code")
        row.used_at = now
        row.save(update_fields=["attempts", "used_at"])
        account.contact_verified_at = now
        fields = ["contact_verified_at"]
        if row.to_contact_on_record and not account.proof:
            account.proof, account.proven_at = Account.Proof.CONTACT_ON_RECORD, now
            fields += ["proof", "proven_at"]
        account.save(update_fields=fields)
        _fill_contact(account)
        audit.record(
            "citizen.confirmed",
            object_type="citizens.account",
            object_id=str(account.pk),
            summary="Xác nhận tài khoản dịch vụ công bằng mã",
            data={"proof": account.proof},
        )
    return account


def _fill_contact(account: Account) -> None:
    """A record without a phone or e-mail takes the account's confirmed ones, so that the status notices
    of its dossiers reach the holder (NĐ 224/2026 Điều 15); a contact on record is never replaced."""
    party: Person | Organisation | None = account.person or account.organisation
    if party is None:
        return
    changes = {}
    if not party.email and account.email:
        changes["email"] = account.email
    if not party.phone and account.phone:
        changes["phone"] = account.phone
    if changes:
        type(party).objects.filter(pk=party.pk).update(**changes)


def resend(account_id: int, *, ip: str | None) -> str:
    """A new code for an account not yet confirmed (limited per account and per address)."""
    _limit("citizen-resend", f"{account_id}", 5, 3600)
    _limit("citizen-resend-ip", ip or "-", 20, 3600)
    with transaction.atomic():
        account = (
            Account.objects.select_for_update()
            .filter(pk=account_id, contact_verified_at__isnull=True)
            .first()
        )
        last = VerificationCode.objects.filter(account_id=account_id).order_by("-created_at", "-id").first()
        if account is None or last is None:
            raise AccountInvalid("Tài khoản này không cần mã xác nhận nữa; hãy đăng nhập.", field="code")
        VerificationCode.objects.filter(account=account, used_at__isnull=True).update(used_at=timezone.now())
        return _send_code(account, last.sent_to, last.to_contact_on_record)


def find_account(identifier: str) -> Account | None:
    """The account of an identity number, tax code or e-mail (``None``: none)."""
    text = identifier.strip()
    if "@" in text:
        return Account.objects.filter(email__iexact=text).select_related("person", "organisation").first()
    digits = "".join(ch for ch in text if ch.isascii() and (ch.isdigit() or ch == "-"))
    if len(digits.replace("-", "")) == 12:
        return (
            Account.objects.filter(person__citizen_id=digits).select_related("person", "organisation").first()
        )
    return (
        Account.objects.filter(organisation__tax_code=digits).select_related("person", "organisation").first()
    )


def authenticate(identifier: str, password: str, *, ip: str | None) -> Account:
    """The account for a password sign-in (identity number, tax code or e-mail); every attempt counted
    first; one message for an unknown account and a wrong password."""
    name = f"citizen:{identifier.strip().lower()[:100]}"
    lock = login.reserve(name, ip)
    if lock is not None:
        raise TooManyAttempts(lock.message, details=throttle.retry_details(lock.seconds_left))
    account = find_account(identifier)
    # the hash is checked even for an unknown account, so the answer takes the same time
    ok = check_password(password, account.password if account and account.password else _DUMMY)
    if account is None or not account.password or not ok or not account.is_active:
        login.register_failure(name, ip, "Sai tài khoản hoặc mật khẩu (cổng dịch vụ công)")
        raise AccountInvalid(
            "Số định danh / mã số thuế / thư điện tử hoặc mật khẩu không đúng.", field="password"
        )
    login.passed(name, ip)
    if account.contact_verified_at is None and account.proof != Account.Proof.IDENTITY_PROVIDER:
        raise AccountInvalid(
            "Tài khoản chưa được xác nhận: hãy nhập mã đã gửi tới bạn.",
            field="code",
            code="account_unconfirmed",
        )
    login.succeeded(name, ip)
    _signed_in(account)
    return account


_DUMMY = make_password(secrets.token_urlsafe(16))


def _signed_in(account: Account) -> None:
    Account.objects.filter(pk=account.pk).update(last_sign_in_at=timezone.now())
    audit.record(
        "citizen.signed_in",
        object_type="citizens.account",
        object_id=str(account.pk),
        summary="Đăng nhập cổng dịch vụ công",
    )


# -- the national identity provider -----------------------------------------------------------------


def _text(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name)
    return value.strip() if isinstance(value, str) else ""


def _birth(claims: dict[str, Any]) -> date | None:
    try:
        return date.fromisoformat(_text(claims, "birthdate"))
    except ValueError:
        return None


IDENTITY_NUMBER_CLAIM = "so_dinh_danh"  # ❓ the provider's own claim name (docs/integrations.md)


def sign_in_with_identity(claims: dict[str, Any]) -> Account:
    """The person the identity provider vouched for (its user information, checked by the caller):
    their record found or made, their account found or made, proven. The population database is asked
    for what it holds (when configured), for prefilling forms."""
    subject = _text(claims, "sub")
    if not subject:
        raise AccountInvalid("Hệ thống định danh không trả về định danh người dùng.", code="idp_invalid")
    address = claims.get("address")
    formatted = address.get("formatted", "") if isinstance(address, dict) else ""
    with transaction.atomic():
        party, _ = people.person(
            people.PersonIn(
                citizen_id=_text(claims, IDENTITY_NUMBER_CLAIM),
                full_name=_text(claims, "name"),
                birth_date=_birth(claims),
                phone=_text(claims, "phone_number"),
                email=_text(claims, "email"),
                address=str(formatted)[:255],
            )
        )
        account = (
            Account.objects.select_for_update().filter(idp_subject=subject).first()
            or Account.objects.select_for_update().filter(person=party).first()
        )
        if account is not None and account.person_id != party.pk:
            raise AccountInvalid("Tài khoản định danh không khớp với tài khoản đã có.", code="idp_mismatch")
        now = timezone.now()
        profile = {
            "identity": {
                "full_name": _text(claims, "name"),
                "birth_date": _text(claims, "birthdate"),
                "gender": _text(claims, "gender"),
                "citizen_id": party.citizen_id,
                "phone": _text(claims, "phone_number"),
                "email": _text(claims, "email"),
                "address": str(formatted)[:255],
            }
        }
        if account is None:
            account = Account.objects.create(
                kind=Account.Kind.PERSON,
                person=party,
                email=_text(claims, "email")[:254],
                phone=_text(claims, "phone_number")[:20],
            )
        account.idp_subject = subject
        account.proof, account.proven_at = Account.Proof.IDENTITY_PROVIDER, now
        account.profile = {**(account.profile or {}), **profile}
        account.save(update_fields=["idp_subject", "proof", "proven_at", "profile"])
        audit.record(
            "citizen.identity_signed_in",
            object_type="citizens.account",
            object_id=str(account.pk),
            summary="Đăng nhập bằng tài khoản định danh điện tử",
        )
    consult_population(account)
    _signed_in(account)
    return account


def consult_population(account: Account) -> bool:
    """Ask the population database for the account's person (when one is configured) and keep what it
    says for prefilling forms; ``False`` when it could not answer (the forms are then typed)."""
    found_registry = registry.population_registry() if account.person is not None else None
    if found_registry is None or account.person is None:
        return False
    try:
        resident = found_registry.lookup(account.person.citizen_id)
    except registry.QueryFailed:
        return False
    finally:
        found_registry.close()
    if resident is None:
        return False
    population = {
        "permanent_address": resident.permanent_address,
        "current_address": resident.current_address,
        "birth_place": resident.birth_place,
        "hometown": resident.hometown,
        "ethnicity": resident.ethnicity,
        "nationality": resident.nationality,
        "gender": resident.gender,
        "full_name": resident.full_name,
        "birth_date": resident.birth_date.isoformat() if resident.birth_date else "",
    }
    with transaction.atomic():
        Account.objects.filter(pk=account.pk).update(
            profile={**(account.profile or {}), "population": population},
            population_record=resident.record_code[:60],
        )
        Person.objects.filter(pk=account.person.pk).update(verified_with_population_db=True)
    account.profile = {**(account.profile or {}), "population": population}
    account.population_record = resident.record_code[:60]
    return True


def known_values(account: Account) -> dict[str, Any]:
    """What the portal knows of the account's holder, by the e-forms' prefill source keys
    (``identity.*`` from the profile and the identity provider, ``population.*`` from the population
    database)."""
    known: dict[str, Any] = {}
    person = account.person
    if person is not None:
        known.update(
            {
                "identity.full_name": person.full_name,
                "identity.citizen_id": person.citizen_id,
                "identity.birth_date": person.birth_date.isoformat() if person.birth_date else "",
                "identity.phone": person.phone or account.phone,
                "identity.email": person.email or account.email,
                "identity.address": person.address,
            }
        )
    organisation = account.organisation
    if organisation is not None:
        known.update(
            {
                "identity.full_name": organisation.representative or organisation.name,
                "identity.phone": organisation.phone or account.phone,
                "identity.email": organisation.email or account.email,
                "identity.address": organisation.address,
            }
        )
    for key, value in (account.profile or {}).get("identity", {}).items():
        if value and not known.get(f"identity.{key}"):
            known[f"identity.{key}"] = value
    for key, value in (account.profile or {}).get("population", {}).items():
        if value:
            known[f"population.{key}"] = value
    return {k: v for k, v in known.items() if v}
