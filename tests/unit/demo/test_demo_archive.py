"""Safe extraction: traversal, absolute paths, links and oversize members are refused; wanted files are copied."""

import io
import tarfile
import zipfile

import pytest

from intermezzo.demo import archive
from intermezzo.errors import UserError


def _tar(path, members):
    """members: (name, bytes | None for a dir, link target or None, type)."""
    with tarfile.open(path, "w:gz") as tf:
        for name, data, link, kind in members:
            info = tarfile.TarInfo(name)
            info.type = kind
            if link:
                info.linkname = link
            if data is not None:
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
            else:
                tf.addfile(info)
    return path


def _zip(path, members):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data, mode in members:
            info = zipfile.ZipInfo(name)
            if mode:
                info.external_attr = mode << 16
            zf.writestr(info, data)
    return path


def test_wanted_tar_members_are_copied_and_others_left(tmp_path):
    sdist = _tar(tmp_path / "a.tar.gz", [("pkg/a.json", b'{"a": 1}', None, tarfile.REGTYPE),
                                         ("pkg/b.json", b"b", None, tarfile.REGTYPE)])
    found = archive.extract(sdist, tmp_path / "out", ["pkg/a.json"])
    assert found["pkg/a.json"].read_bytes() == b'{"a": 1}'
    assert not (tmp_path / "out" / "pkg" / "b.json").exists()


@pytest.mark.parametrize("name", ["../evil.txt", "pkg/../../evil.txt", "/etc/evil.txt", "C:/evil.txt",
                                  "pkg\\..\\evil.txt"])
def test_tar_with_unsafe_names_is_refused(tmp_path, name):
    sdist = _tar(tmp_path / "bad.tar.gz", [(name, b"x", None, tarfile.REGTYPE)])
    with pytest.raises(UserError, match="unsafe member"):
        archive.extract_tar(sdist, tmp_path / "out", lambda n: True)
    assert not (tmp_path / "evil.txt").exists()


@pytest.mark.parametrize("kind", [tarfile.SYMTYPE, tarfile.LNKTYPE])
def test_tar_links_are_refused(tmp_path, kind):
    sdist = _tar(tmp_path / "link.tar.gz", [("pkg/task.json", None, "/etc/passwd", kind)])
    with pytest.raises(UserError, match="link or special"):
        archive.extract(sdist, tmp_path / "out", ["pkg/task.json"])
    assert not (tmp_path / "out" / "pkg" / "task.json").exists()


def test_oversize_tar_member_is_refused_and_nothing_left(tmp_path):
    sdist = _tar(tmp_path / "big.tar.gz", [("pkg/big.bin", b"x" * 2000, None, tarfile.REGTYPE)])
    with pytest.raises(UserError, match="size cap"):
        archive.extract(sdist, tmp_path / "out", ["pkg/big.bin"], max_member=1000)
    assert not list((tmp_path / "out").rglob("*.bin"))


def test_total_size_cap_counts_all_members(tmp_path):
    sdist = _tar(tmp_path / "two.tar.gz", [("a", b"x" * 600, None, tarfile.REGTYPE),
                                           ("b", b"y" * 600, None, tarfile.REGTYPE)])
    with pytest.raises(UserError, match="size cap"):
        archive.extract(sdist, tmp_path / "out", ["a", "b"], max_member=1000, max_total=1000)


def test_missing_member_is_named(tmp_path):
    sdist = _tar(tmp_path / "a.tar.gz", [("pkg/a.json", b"{}", None, tarfile.REGTYPE)])
    with pytest.raises(UserError, match="pkg/nope.json"):
        archive.extract(sdist, tmp_path / "out", ["pkg/a.json", "pkg/nope.json"])


def test_wheel_members_are_copied(tmp_path):
    wheel = _zip(tmp_path / "p-1.0-py3-none-any.whl", [("p/model.bin", b"\x00\x01", 0o100644),
                                                       ("p/__init__.py", b"", 0)])
    found = archive.extract(wheel, tmp_path / "out", ["p/model.bin"])
    assert found["p/model.bin"].read_bytes() == b"\x00\x01"


@pytest.mark.parametrize("name", ["../evil.txt", "/abs/evil.txt", "a/../../evil.txt"])
def test_zip_with_unsafe_names_is_refused(tmp_path, name):
    wheel = _zip(tmp_path / "bad.whl", [(name, b"x", 0)])
    with pytest.raises(UserError, match="unsafe member"):
        archive.extract_zip(wheel, tmp_path / "out", lambda n: True)


def test_zip_symlink_and_oversize_are_refused(tmp_path):
    link = _zip(tmp_path / "link.whl", [("p/model.bin", b"/etc/passwd", 0o120777)])
    with pytest.raises(UserError, match="link or special"):
        archive.extract(link, tmp_path / "out", ["p/model.bin"])
    big = _zip(tmp_path / "big.whl", [("p/model.bin", b"x" * 5000, 0o100644)])
    with pytest.raises(UserError, match="size cap"):
        archive.extract(big, tmp_path / "out", ["p/model.bin"], max_member=100)


def test_corrupt_archives_give_a_user_error(tmp_path):
    (tmp_path / "x.whl").write_bytes(b"not a zip")
    (tmp_path / "x.tar.gz").write_bytes(b"not a tar")
    for bad in ("x.whl", "x.tar.gz"):
        with pytest.raises(UserError, match="download it again"):
            archive.extract(tmp_path / bad, tmp_path / "out", ["a"])
