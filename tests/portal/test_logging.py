import json
import logging
import sys

from portal.logging import JsonFormatter


def _format(**extra) -> dict:
    record = logging.getLogger("exchanges").makeRecord(
        "exchanges", logging.INFO, __file__, 1, "exchange event=%s", ("state",), None, extra=extra
    )
    return json.loads(JsonFormatter().format(record))


def test_json_logs_carry_the_message_and_the_exchange_ids():
    entry = _format(exchange_id="e-1", conversation_id="c-1", ebms_message_id=None)
    assert entry["message"] == "exchange event=state"
    assert (entry["level"], entry["logger"]) == ("INFO", "exchanges")
    assert (entry["exchange_id"], entry["conversation_id"]) == ("e-1", "c-1")
    assert "ebms_message_id" not in entry  # empty ids are left out


def test_json_logs_keep_the_traceback_of_an_error():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("x").makeRecord(
            "x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )
    entry = json.loads(JsonFormatter().format(record))
    assert "ValueError: boom" in entry["exception"]
