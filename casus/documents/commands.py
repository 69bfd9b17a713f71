"""``casus documents verify`` and ``casus documents rotate-key`` (docs/OPERATIONS.md, "Documents").

verify reads every stored file, decrypts it and checks its SHA-256; rotate-key re-encrypts every stored file not
under the first configured key. Rotation commits file by file, so an interrupted run simply continues where it
stopped (``StoredFile.key_id`` says which files are done).
"""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from casus.config import ConfigError
from casus.documents import crypto
from casus.documents.files import CorruptFile, DocumentStorageUnavailable, backend, read_verified, verified_plain
from casus.documents.models import StoredFile
from casus.documents.storage import ObjectMissing, StorageUnavailable
from casus.extensions import db


@click.group("documents")
def documents_group() -> None:
    """Stored documents: check every file, re-encrypt under a new key (docs/OPERATIONS.md)."""


@documents_group.command("verify")
@with_appcontext
def verify_command() -> None:
    """Read, decrypt and check the SHA-256 of every stored file; exit 1 and list the bad ones when any is corrupt."""
    _require_keys()
    names = list(db.session.scalars(sa.select(StoredFile.sha256).order_by(StoredFile.sha256)))
    bad = []
    with click.progressbar(names, label="Bestanden controleren", file=click.get_text_stream("stderr")) as bar:
        for sha256 in bar:
            try:
                read_verified(sha256)
            except CorruptFile as error:
                bad.append(error)
            except DocumentStorageUnavailable as error:
                raise click.ClickException(error.message) from error
    _report_leftovers(set(names))
    if bad:
        click.echo(f"{len(bad)} van {len(names)} opgeslagen bestanden zijn beschadigd of ontbreken:")
        for error in bad:
            click.echo(f"{error.sha256} {error.reason}")
        raise SystemExit(1)
    click.echo(f"Alle {len(names)} opgeslagen bestanden zijn in orde.")


def _report_leftovers(known: set[str]) -> None:
    """Objects without a row (left by a failed delete or a rolled-back upload): harmless ciphertext, named."""
    try:
        leftovers = [name for name in backend().storage.names() if name not in known]
    except StorageUnavailable as error:
        raise click.ClickException(f"De documentopslag is niet bereikbaar: {error}") from error
    if leftovers:
        objects = "opgeslagen object" if len(leftovers) == 1 else "opgeslagen objecten"
        click.echo(f"{len(leftovers)} {objects} zonder document (mogen weg): {', '.join(leftovers)}",
                   err=True)


@documents_group.command("rotate-key")
@with_appcontext
def rotate_key_command() -> None:
    """Re-encrypt every stored file not under the first key of CASUS_STORAGE_KEYS; resumable. Afterwards the
    older keys may be removed from CASUS_STORAGE_KEYS."""
    ring = _require_keys()
    todo = list(db.session.scalars(sa.select(StoredFile.sha256).where(StoredFile.key_id != ring.current_id)
                                   .order_by(StoredFile.sha256)))
    bad = []
    with click.progressbar(todo, label=f"Opnieuw versleutelen met sleutel {ring.current_id}",
                           file=click.get_text_stream("stderr")) as bar:
        for sha256 in bar:
            try:
                _rotate(sha256, ring)
            except CorruptFile as error:
                db.session.rollback()
                bad.append(error)
    if bad:
        click.echo(f"{_files(len(bad))} niet opnieuw versleuteld, want beschadigd of onleesbaar:")
        for error in bad:
            click.echo(f"{error.sha256} {error.reason}")
        raise SystemExit(1)
    click.echo(f"{_files(len(todo))} opnieuw versleuteld met sleutel {ring.current_id}.")


def _files(count: int) -> str:
    return f"{count} {'bestand' if count == 1 else 'bestanden'}"


def _rotate(sha256: str, ring: crypto.KeyRing) -> None:
    storage = backend().storage
    try:
        blob = storage.get(sha256)
        if crypto.key_id_of(blob) != ring.current_id:  # else an earlier run re-encrypted it but did not commit
            storage.put(sha256, crypto.encrypt(verified_plain(blob, sha256, ring), sha256, ring))
    except ObjectMissing as error:
        raise CorruptFile(sha256, "missing") from error
    except crypto.DecryptionFailed as error:
        raise CorruptFile(sha256, "decrypt") from error
    except StorageUnavailable as error:
        raise click.ClickException(f"De documentopslag is niet bereikbaar: {error}") from error
    db.session.execute(sa.update(StoredFile).where(StoredFile.sha256 == sha256).values(key_id=ring.current_id))
    db.session.commit()


def _require_keys() -> crypto.KeyRing:
    try:
        ring = backend().ring
    except ConfigError as error:
        raise click.ClickException(str(error)) from error
    if ring is None:
        raise click.ClickException("Geen sleutels ingesteld: zet CASUS_STORAGE_KEYS (docs/OPERATIONS.md).")
    return ring
