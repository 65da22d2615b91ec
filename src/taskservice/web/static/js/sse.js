// A streaming parser for server-sent events, as the HTML standard defines them.
// EventSource cannot POST or send an Authorization header, so the assistant reads
// POST /agent/stream with fetch and feeds the text to this parser.

export class SseParser {
  constructor() {
    this.buffer = "";
    this.afterCarriageReturn = false;
    this.started = false;
    this.reset();
  }

  reset() {
    this.eventType = "";
    this.data = [];
    this.hasData = false;
  }

  /** Feed decoded text (any split); returns the events completed by it. */
  push(text) {
    if (!this.started && text.length) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const events = [];
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const char = text[i];
      if (char === "\n" && this.afterCarriageReturn && i === start && this.buffer === "") {
        // The LF of a CRLF whose CR ended the previous piece (or line).
        this.afterCarriageReturn = false;
        start = i + 1;
        continue;
      }
      this.afterCarriageReturn = false;
      if (char === "\n" || char === "\r") {
        const line = this.buffer + text.slice(start, i);
        this.buffer = "";
        this.afterCarriageReturn = char === "\r";
        const event = this.line(line);
        if (event) events.push(event);
        start = i + 1;
      }
    }
    this.buffer += text.slice(start);
    return events;
  }

  line(line) {
    if (line === "") {
      if (!this.hasData) {
        this.reset();
        return null;
      }
      const event = { event: this.eventType || "message", data: this.data.join("\n") };
      this.reset();
      return event;
    }
    if (line.startsWith(":")) return null;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.eventType = value;
    else if (field === "data") {
      this.data.push(value);
      this.hasData = true;
    }
    return null;
  }
}

/** The events of a response body (a stream of bytes), as they arrive. */
export async function* readEvents(body) {
  const parser = new SseParser();
  const decoder = new TextDecoder("utf-8");
  const reader = body.getReader();
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
    // An event not closed by a blank line is dropped, as the standard says.
    yield* parser.push(decoder.decode());
  } finally {
    reader.releaseLock();
  }
}
