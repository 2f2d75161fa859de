"""The format table: lookups by name and suffix, and errors that list only the usable choices."""
import pytest
from click.testing import CliRunner

from nvivo_bridge.cli import main
from nvivo_bridge.errors import UnknownFormatError
from nvivo_bridge.formats import FORMATS, get_format, guess_input_format, guess_output_format


def test_lookup_by_name_and_suffix(tmp_path):
    assert get_format("QDPX").name == "qdpx"
    assert guess_input_format(tmp_path / "a.qdc").name == "qdc"
    assert guess_output_format(tmp_path / "out").name == "csv"
    assert guess_input_format(tmp_path).name == "nvivo"


def test_errors_list_only_formats_that_fit_the_option():
    """Regression: --to foo offered 'nvivo' (which cannot be written), --from foo offered 'cipp'."""
    with pytest.raises(UnknownFormatError) as exc:
        get_format("foo", "writer")
    assert "--to 'foo'" in str(exc.value)
    assert "nvivo" not in exc.value.hint.split(": ")[1].split(", ")
    with pytest.raises(UnknownFormatError) as exc:
        get_format("cipp", "reader")
    assert "--from 'cipp'" in str(exc.value)
    assert "cipp" not in exc.value.hint.split(": ")[1].split(", ")
    assert set(exc.value.hint.split(": ")[1].split(", ")) == {f.name for f in FORMATS.values() if f.reader}


def test_cli_unknown_to_is_a_usage_error(tmp_path):
    sample = tmp_path / "a.json"
    sample.write_text("{}")
    result = CliRunner().invoke(main, ["convert", str(sample), "-o", str(tmp_path / "o.x"), "--to", "nvivo"])
    assert result.exit_code == 2
    assert "--to 'nvivo' is not a format that can be written" in result.output
