"""The page's server-sent-events parser (js/sse.js), run in the browser itself.

The same stream is fed whole, split at every character, and as bytes split at every
byte (so UTF-8 sequences break across reads): the events must always be the same.
"""

from typing import Any

from playwright.async_api import Page

STREAM = (
    "\ufeff: a comment\r\n"
    "event: text_delta\r\n"
    'data: {"delta": "café €"}\r\n'
    "\r\n"
    "event:done\n"
    "data:line one\n"
    "data:  line two\n"
    "\n"
    "data\n"
    "\n"
    "event: nothing\n"
    "\n"
    "id: 7\rdata: cr only\r\r"
    "retry: 10\n"
    "data: unfinished"
)
EXPECTED = [
    {"event": "text_delta", "data": '{"delta": "café €"}'},
    {"event": "done", "data": "line one\n line two"},
    {"event": "message", "data": ""},
    {"event": "message", "data": "cr only"},
]

RUN = """async (stream) => {
  const { SseParser, readEvents } = await import("/static/app/js/sse.js");
  const whole = new SseParser().push(stream);
  const byCharacter = [];
  for (let cut = 0; cut <= stream.length; cut++) {
    const parser = new SseParser();
    byCharacter.push([...parser.push(stream.slice(0, cut)), ...parser.push(stream.slice(cut))]);
  }
  const bytes = new TextEncoder().encode(stream);
  const byByte = [];
  for (let cut = 0; cut <= bytes.length; cut++) {
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(bytes.slice(0, cut));
        controller.enqueue(bytes.slice(cut));
        controller.close();
      },
    });
    const events = [];
    for await (const event of readEvents(body)) events.push(event);
    byByte.push(events);
  }
  return { whole, byCharacter, byByte, byteCount: bytes.length };
}"""


class TestSseParser:
    async def test_events_whatever_the_splits(self, page: Page) -> None:
        await page.goto("/")
        result: dict[str, Any] = await page.evaluate(RUN, STREAM)

        assert result["whole"] == EXPECTED
        assert len(result["byCharacter"]) == len(STREAM) + 1
        for cut, events in enumerate(result["byCharacter"]):
            assert events == EXPECTED, cut
        assert len(result["byByte"]) == len(STREAM.encode()) + 1 == result["byteCount"] + 1
        for cut, events in enumerate(result["byByte"]):
            assert events == EXPECTED, cut
