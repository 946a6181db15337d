"""The data files say where their content comes from, and only with what the repository
holds: a document by its number and issuer, another file of the repository by its path."""

import re
from pathlib import Path

from django.conf import settings

FILE_NAME = re.compile(r"(?<![\w/])/?[\w.-]+(?:/[\w.-]+)+\.(?:md|ya?ml|txt|pdf|docx?)\b")


def comment_lines(path: Path) -> list[str]:
    return [
        line.split("#", 1)[1]
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.lstrip().startswith("#")
    ]


def test_data_file_comments_name_only_files_of_the_repository():
    base = Path(settings.BASE_DIR)
    files = sorted((base / "data").rglob("*.yaml")) + sorted((base / "reports").rglob("*.yaml"))
    assert files
    for path in files:
        for comment in comment_lines(path):
            for name in FILE_NAME.findall(comment):
                assert not name.startswith("/"), f"{path.name}: {name}"
                assert (base / name).exists(), f"{path.name}: {name}"


def test_the_plan_file_cites_the_plan_document():
    header = " ".join(comment_lines(Path(settings.BASE_DIR) / "data/plans/112-KH-TU.yaml")[:5])
    assert "Kế hoạch số 112-KH/TU" in header
    assert "Ban Thường vụ Tỉnh ủy Trà Vinh" in header
    assert "Kim Ngọc Thái" in header
