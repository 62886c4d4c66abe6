"""Position encodings at the LSP boundary: Splice counts UTF-8 bytes, VS Code UTF-16 units, Neovim UTF-8 bytes;
out-of-range positions are clamped as the spec says, never an error."""

from __future__ import annotations

import pytest
from lsprotocol import types

from splice.index.model import Point
from splice.lsp.convert import Lines

TEXT = "x = 'é'\ny = '😀' + z\n"
#       é is 2 UTF-8 bytes / 1 UTF-16 unit; 😀 is 4 UTF-8 bytes / 2 UTF-16 units / 1 code point


@pytest.mark.parametrize(
    ("encoding", "byte_col", "client_col"),
    [
        (types.PositionEncodingKind.Utf16, 11, 9),  # the `+` after the emoji on line 1
        (types.PositionEncodingKind.Utf8, 11, 11),
        (types.PositionEncodingKind.Utf32, 11, 8),
    ],
)
def test_round_trip_through_each_encoding(encoding: str, byte_col: int, client_col: int) -> None:
    lines = Lines(TEXT, encoding)
    pos = lines.to_client(Point(1, byte_col))
    assert pos == types.Position(line=1, character=client_col)
    assert lines.from_client(pos) == Point(1, byte_col)


def test_out_of_range_positions_are_clamped() -> None:
    lines = Lines(TEXT, types.PositionEncodingKind.Utf16)
    assert lines.from_client(types.Position(line=0, character=999)) == Point(0, len("x = 'é'".encode()))
    assert lines.from_client(types.Position(line=99, character=0)) == Point(2, 0)
    assert lines.to_client(Point(99, 5)) == types.Position(line=2, character=0)


def test_a_column_inside_a_surrogate_pair_does_not_split_the_character() -> None:
    lines = Lines(TEXT, types.PositionEncodingKind.Utf16)
    # UTF-16 unit 6 lands between the two halves of the emoji: the whole character is taken
    assert lines.from_client(types.Position(line=1, character=6)) == Point(1, len("y = '😀".encode()))
