"""The codec on its own: what real clients put on the wire (spec clients.md §2), and exactly what the real
server writes back (spec xmlrpc-api.md §1.4, §1.5)."""
from __future__ import annotations

import xmlrpc.client
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from server.domain.errors import ProtocolError
from server.xmlrpc import codec

NODE = ('<?xml version="1.0"?><methodCall><methodName>DataService.add</methodName><params><param><value><string>'
        'testkey</string></value></param><param><value><string>Contact</string></value></param><param><value><struct>'
        '<member><name>Name</name><value><string><![CDATA[Zoë & <Ada>]]></string></value></member><member><name>Int'
        '</name><value><int>3</int></value></member><member><name>Whole</name><value><int>2</int></value></member>'
        '<member><name>Empty</name><value><string/></value></member><member><name>List</name><value><array><data/>'
        '</array></value></member><member><name>Bytes</name><value><base64>aGk=</base64></value></member>'
        '</struct></value></param></params></methodCall>')
RUBY = ('<?xml version="1.0" ?><methodCall><methodName>DataService.add</methodName><params><param><value><string>'
        'testkey</string></value></param><param><value><struct><member><name>Int</name><value><i4>3</i4></value>'
        '</member><member><name>Neg</name><value><i4>-7</i4></value></member><member><name>Dbl</name><value>'
        '<double>2.0</double></value></member><member><name>Date</name><value><dateTime.iso8601>20240102T03:04:05'
        '</dateTime.iso8601></value></member></struct></value></param></params></methodCall>\n')
GUZZLE = ('<?xml version="1.0" encoding="UTF-8"?><methodCall><methodName>DataService.add</methodName><params><param>'
          '<value><string>backwards-compatability</string></value></param><param><value><struct><member><name>Whole'
          '</name><value><double>2</double></value></member><member><name>DateStr</name><value><string>'
          '2024-01-02T03:04:05</string></value></member></struct></value></param></params></methodCall>')
PHPXMLRPC = ('<?xml version="1.0" encoding="UTF-8" ?>\n<methodCall>\n<methodName>DataService.add</methodName>\n'
             '<params>\n<param><value><string>testkey</string></value></param>\n<param><value><struct><member>'
             '<name>Nil</name><value></value></member><member><name>Bare</name><value>bare text</value></member>'
             '</struct></value></param>\n</params>\n</methodCall>\n')
PECL = ('<?xml version="1.0" encoding="iso-8859-1"?><methodCall><methodName>DataService.add</methodName><params>'
        '<param><value>\n  <string>testkey</string>\n</value></param><param><value><struct><member><name>Name</name>'
        '<value>\n   <string>Zo&#195;&#171; &#38; &#60;Ada&#62;</string>\n  </value></member><member><name>Dbl'
        '</name><value><double>1.500000</double></value></member><member><name>Nil</name><value><string/></value>'
        '</member></struct></value></param></params></methodCall>').encode("latin-1")


def test_python_stdlib_pretty_printed_with_base64_newlines():
    body = xmlrpc.client.dumps(("k", {"B": b"hi", "D": xmlrpc.client.DateTime("20240102T03:04:05"), "L": [],
                                      "F": 1.5, "T": True}), "DataService.add")
    name, params = codec.loads_call(body.encode())
    assert name == "DataService.add"
    assert params == ["k", {"B": b"hi", "D": datetime(2024, 1, 2, 3, 4, 5), "L": [], "F": 1.5, "T": True}]


def test_node_cdata_and_self_closing():
    _, params = codec.loads_call(NODE.encode())
    assert params[2] == {"Name": "Zoë & <Ada>", "Int": 3, "Whole": 2, "Empty": "", "List": [], "Bytes": b"hi"}


def _int_call(typed: str) -> bytes:
    return (f"<methodCall><methodName>m</methodName><params><param><value>{typed}</value></param></params>"
            "</methodCall>").encode()


@pytest.mark.parametrize("text", ["2147483648", "3000000000", "-2147483649", "99999999999999999999", "1_0", "١٢"])
def test_integers_outside_javas_32_bits_fail_to_parse(text):
    # node sends integers above 2^31 in <int>; the real server's Integer parser refuses them (Apache XML-RPC)
    with pytest.raises(ProtocolError) as exc:
        codec.loads_call(_int_call(f"<int>{text}</int>"))
    assert exc.value.message == f"Failed to parse XML-RPC request: Failed to parse integer value: {text}"


def test_the_32_bit_bounds_parse_and_i8_is_an_unknown_type():
    assert codec.loads_call(_int_call("<i4> 2147483647 </i4>"))[1] == [2147483647]
    assert codec.loads_call(_int_call("<int>-2147483648</int>"))[1] == [-2147483648]
    assert codec.loads_call(_int_call("<int>+7</int>"))[1] == [7]
    with pytest.raises(ProtocolError) as exc:
        codec.loads_call(_int_call("<i8>5</i8>"))
    assert exc.value.message == "Failed to parse XML-RPC request: Unknown type: i8"


def test_no_integer_wider_than_i4_is_ever_written():
    assert codec.dumps_response(2**31 - 1).endswith(b"<value><i4>2147483647</i4></value></param></params>"
                                                     b"</methodResponse>")
    with pytest.raises(OverflowError):
        codec.dumps_response([2**31])


def test_ruby_i4_and_declaration_with_space():
    _, params = codec.loads_call(RUBY.encode())
    assert params[1] == {"Int": 3, "Neg": -7, "Dbl": 2.0, "Date": datetime(2024, 1, 2, 3, 4, 5)}


def test_guzzle_placeholder_key():
    _, params = codec.loads_call(GUZZLE.encode())
    assert params == ["backwards-compatability", {"Whole": 2.0, "DateStr": "2024-01-02T03:04:05"}]


def test_phpxmlrpc_empty_value_and_bare_strings():
    _, params = codec.loads_call(PHPXMLRPC.encode())
    assert params[1] == {"Nil": "", "Bare": "bare text"}


def test_pecl_latin1_declaration_with_character_references():
    _, params = codec.loads_call(PECL)
    assert params[1] == {"Name": "ZoÃ« & <Ada>", "Dbl": 1.5, "Nil": ""}


def test_nil_is_refused_as_the_real_server_does():
    body = xmlrpc.client.dumps(("k", None), "DataService.echo", allow_none=True)
    with pytest.raises(ProtocolError) as exc:
        codec.loads_call(body.encode())
    assert exc.value.message == "Failed to parse XML-RPC request: Unknown type: nil"


@pytest.mark.parametrize("text,expected", [
    ("20240131T09:30:00", datetime(2024, 1, 31, 9, 30)),
    ("2024-01-31T09:30:00", datetime(2024, 1, 31, 9, 30)),
    ("2024-01-31 09:30:00", datetime(2024, 1, 31, 9, 30)),
    ("20240131T09:30:00Z", datetime(2024, 1, 31, 9, 30, tzinfo=UTC)),
    ("2015-07-25T23:02:51-07:00", datetime(2015, 7, 25, 23, 2, 51, tzinfo=timezone(timedelta(hours=-7)))),
])
def test_datetime_spellings(text, expected):
    body = f"<methodCall><methodName>m</methodName><params><param><value><dateTime.iso8601>{text}" \
           "</dateTime.iso8601></value></param></params></methodCall>"
    assert codec.loads_call(body.encode())[1] == [expected]


@pytest.mark.parametrize("body,message", [
    (b"", "Premature end of file."),
    (b"<?xml version='1.0'?><methodCall><methodName>a", "Premature end of file."),
    (b"<methodCall><methodName>m</methodName><params><param><value><int>x</int></value></param></params></methodCall>",
     "Failed to parse integer value: x"),
    (b"<methodCall><methodName>m</methodName><params><param><value><float>1</float></value></param></params>"
     b"</methodCall>", "Unknown type: float"),
    (b"<notACall/>", "Expected methodCall element, got notACall"),
])
def test_malformed_requests(body, message):
    with pytest.raises(ProtocolError) as exc:
        codec.loads_call(body)
    assert exc.value.message.endswith(message)


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>',
    '<!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
])
def test_entities_are_never_resolved(doctype):
    body = f'<?xml version="1.0"?>{doctype}<methodCall><methodName>DataService.echo</methodName><params><param>' \
           '<value><string>&c;&x;</string></value></param></params></methodCall>'
    with pytest.raises(ProtocolError) as exc:
        codec.loads_call(body.encode())
    assert "DOCTYPE is disallowed" in exc.value.message


def test_responses_are_written_as_the_real_server_writes_them():
    out = codec.dumps_response({"Id": 3602, "Name": "Hogwarts <of> America", "Empty": "", "Null": None, "Ok": True,
                                "Amt": 199.0, "When": datetime(2012, 3, 14), "List": [1, "a"], "Nested": {"a": False}})
    assert out == (
        b'<?xml version="1.0" encoding="utf-8"?><methodResponse><params><param><value><struct>'
        b'<member><name>Id</name><value><i4>3602</i4></value></member>'
        b'<member><name>Name</name><value>Hogwarts &lt;of&gt; America</value></member>'
        b'<member><name>Empty</name><value></value></member>'
        b'<member><name>Ok</name><value><boolean>1</boolean></value></member>'
        b'<member><name>Amt</name><value><double>199.0</double></value></member>'
        b'<member><name>When</name><value><dateTime.iso8601>20120314T00:00:00</dateTime.iso8601></value></member>'
        b'<member><name>List</name><value><array><data><value><i4>1</i4></value><value>a</value></data></array>'
        b'</value></member><member><name>Nested</name><value><struct><member><name>a</name><value><boolean>0'
        b'</boolean></value></member></struct></value></member></struct></value></param></params></methodResponse>')
    parsed = xmlrpc.client.loads(out, use_builtin_types=True)[0][0]
    assert parsed["Name"] == "Hogwarts <of> America" and "Null" not in parsed


def test_the_fault_envelope_is_the_recorded_one():
    assert codec.dumps_fault(13, "[FailedLoginAttempt]username not found: test@test.com") == (
        b'<?xml version="1.0" encoding="utf-8"?><methodResponse><fault><value><struct><member><name>faultCode</name>'
        b'<value><i4>13</i4></value></member><member><name>faultString</name><value>[FailedLoginAttempt]username not '
        b'found: test@test.com</value></member></struct></value></fault></methodResponse>')
    with pytest.raises(xmlrpc.client.Fault):
        xmlrpc.client.loads(codec.dumps_fault(2, "[InvalidKey]Invalid Key"))


def _row(i: int) -> dict:
    """A query row of every type an answer carries; some fields null (omitted on the wire), some text to escape."""
    return {"Id": i, "FirstName": f"Zoë {i}" if i % 3 else f"A & <B> {i}", "LastName": None if i % 5 == 0 else "Mark",
            "Score": i * 0.25, "Opted": i % 2 == 0, "DateCreated": datetime(2024, 1 + i % 12, 1 + i % 28, i % 24, 5, 9),
            "Birthday": date(1990, 5, 17) if i % 4 else None, "Blob": bytes([i % 256]) if i % 7 == 0 else None,
            i % 3: "non-text name", "Tags": [i, f"t{i}"] if i % 11 == 0 else None, "Min": -2**31, "Max": 2**31 - 1}


def test_a_thousand_row_answer_reads_back_as_the_rows():
    rows = [_row(i) for i in range(1000)]
    out = codec.dumps_response(rows)
    parsed = xmlrpc.client.loads(out, use_builtin_types=True)[0][0]
    expected = [{str(k): datetime(v.year, v.month, v.day) if type(v) is date else v for k, v in row.items()
                 if v is not None} for row in rows]
    assert parsed == expected
    assert out.count(b"<member><name>Id</name><value><i4>") == 1000 and b"A &amp; &lt;B&gt; 3" in out


def test_an_answer_is_written_as_the_stdlib_writes_the_same_rows_but_for_the_wire_quirks():
    rows = [_row(i) for i in range(50)]
    ours = xmlrpc.client.loads(codec.dumps_response(rows), use_builtin_types=True)[0][0]
    stdlib = [{str(k): v for k, v in row.items() if v is not None and type(v) is not date} for row in rows]
    theirs = xmlrpc.client.loads(xmlrpc.client.dumps((stdlib,), methodresponse=True), use_builtin_types=True)[0][0]
    assert [{k: v for k, v in row.items() if k != "Birthday"} for row in ours] == theirs


@pytest.mark.parametrize("value", [[{"Id": 2**31}], [{"Id": -2**31 - 1}], {"Id": 2**31}])
def test_an_integer_beyond_32_bits_in_a_row_is_refused(value):
    with pytest.raises(OverflowError):
        codec.dumps_response(value)


class _Spelled(str):
    def __str__(self):
        return "spelled"


def test_member_names_that_are_equal_as_keys_are_written_each_as_itself():
    out = codec.dumps_response([{1: "a"}, {True: "b"}, {1.0: "c"}, {"1": "d"}, {"x": 1}, {_Spelled("x"): 2}])
    names = [m.split(b"</name>")[0] for m in out.split(b"<member><name>")[1:]]
    assert names == [b"1", b"True", b"1.0", b"1", b"x", b"spelled"]
