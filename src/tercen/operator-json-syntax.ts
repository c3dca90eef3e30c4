/**
 * Locates the first JSON syntax error in a text, with a line and column a person can jump to.
 *
 * `JSON.parse` cannot be relied on for this: Node 20 reports a position for some errors
 * ("... in JSON at position 13") and none for others ("Unexpected token '}', ... is not valid
 * JSON"). This scanner accepts exactly the RFC 8259 grammar that `JSON.parse` accepts, up to
 * 512 levels of nesting (a property test holds it to that), and explains the mistakes people make
 * by hand in operator.json: comments, trailing commas, single quotes, unquoted keys, missing commas.
 *
 * Internal: not part of the jsii API.
 */

/** Where and why a text is not JSON. */
export interface JsonSyntaxError {
  /** Zero-based offset of the offending character (the text length for an unexpected end). */
  readonly offset: number;
  /** One-based line. */
  readonly line: number;
  /** One-based column (in UTF-16 code units, as editors count them for BMP text). */
  readonly column: number;
  /** What is wrong and what to write instead, without a trailing period. */
  readonly message: string;
}

class Failure {
  constructor(readonly offset: number, readonly message: string) {}
}

const MAX_DEPTH = 512;

/** Returns the first syntax error in `text`, or undefined when `JSON.parse(text)` succeeds. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  try {
    new Scanner(text).document();
    return undefined;
  } catch (e) {
    if (!(e instanceof Failure)) {
      throw e;
    }
    const { line, column } = lineAndColumn(text, e.offset);
    return { offset: e.offset, line, column, message: e.message };
  }
}

/** One-based line and column of a zero-based offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

class Scanner {
  private pos = 0;
  private depth = 0;

  constructor(private readonly text: string) {}

  document(): void {
    this.ws();
    this.value();
    this.ws();
    if (this.pos < this.text.length) {
      throw this.fail(`unexpected ${this.describe()} after the end of the JSON value; remove it (a JSON file holds exactly one value)`);
    }
  }

  private value(): void {
    const c = this.text[this.pos];
    switch (c) {
      case '{':
        return this.nested(() => this.object());
      case '[':
        return this.nested(() => this.array());
      case '"':
        return this.string();
      case 't':
        return this.literal('true');
      case 'f':
        return this.literal('false');
      case 'n':
        return this.literal('null');
      default:
        if (c === '-' || isDigit(c)) {
          return this.number();
        }
        throw this.unexpected('a value (string, number, object, array, true, false or null)');
    }
  }

  private nested(parse: () => void): void {
    if (++this.depth > MAX_DEPTH) {
      throw this.fail(`nesting deeper than ${MAX_DEPTH} levels; flatten the document`);
    }
    parse();
    this.depth--;
  }

  private object(): void {
    this.pos++; // {
    this.ws();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return;
    }
    for (;;) {
      if (this.text[this.pos] !== '"') {
        throw this.unexpected('a property name in double quotes');
      }
      this.string();
      this.ws();
      if (this.text[this.pos] !== ':') {
        throw this.unexpected("':' after the property name");
      }
      this.pos++;
      this.ws();
      this.value();
      this.ws();
      const c = this.text[this.pos];
      if (c === '}') {
        this.pos++;
        return;
      }
      if (c !== ',') {
        throw this.unexpected("',' or '}' after the property value (is a comma missing?)");
      }
      const comma = this.pos;
      this.pos++;
      this.ws();
      if (this.text[this.pos] === '}') {
        throw new Failure(comma, "trailing comma before '}'; remove this ',' (JSON allows no trailing commas)");
      }
    }
  }

  private array(): void {
    this.pos++; // [
    this.ws();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return;
    }
    for (;;) {
      this.value();
      this.ws();
      const c = this.text[this.pos];
      if (c === ']') {
        this.pos++;
        return;
      }
      if (c !== ',') {
        throw this.unexpected("',' or ']' after the array element (is a comma missing?)");
      }
      const comma = this.pos;
      this.pos++;
      this.ws();
      if (this.text[this.pos] === ']') {
        throw new Failure(comma, "trailing comma before ']'; remove this ',' (JSON allows no trailing commas)");
      }
    }
  }

  private string(): void {
    const start = this.pos;
    this.pos++; // opening quote
    for (;;) {
      if (this.pos >= this.text.length) {
        throw new Failure(start, 'string is never closed; add the closing \'"\'');
      }
      const c = this.text[this.pos];
      if (c === '"') {
        this.pos++;
        return;
      }
      if (c.charCodeAt(0) < 0x20) {
        throw this.fail(c === '\n' || c === '\r'
          ? 'line break inside a string; close the string on the same line or write \\n'
          : 'control character inside a string; escape it (e.g. \\t)');
      }
      if (c === '\\') {
        const e = this.text[this.pos + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))) {
            throw this.fail('\\u must be followed by four hex digits');
          }
          this.pos += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) {
          throw this.fail(`invalid escape \\${e ?? ''}; valid escapes are \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX`);
        }
        this.pos += 2;
        continue;
      }
      this.pos++;
    }
  }

  private number(): void {
    if (this.text[this.pos] === '-') {
      this.pos++;
    }
    if (this.text[this.pos] === '0') {
      this.pos++;
      if (isDigit(this.text[this.pos])) {
        throw this.fail('numbers must not have leading zeros; remove the 0 (or quote the value as a string)');
      }
    } else if (isDigit(this.text[this.pos])) {
      this.digits();
    } else {
      throw this.unexpected("a digit after '-'");
    }
    if (this.text[this.pos] === '.') {
      this.pos++;
      if (!isDigit(this.text[this.pos])) {
        throw this.unexpected('a digit after the decimal point (write 1.0, not 1.)');
      }
      this.digits();
    }
    if (this.text[this.pos] === 'e' || this.text[this.pos] === 'E') {
      this.pos++;
      if (this.text[this.pos] === '+' || this.text[this.pos] === '-') {
        this.pos++;
      }
      if (!isDigit(this.text[this.pos])) {
        throw this.unexpected('a digit in the exponent');
      }
      this.digits();
    }
  }

  private digits(): void {
    while (isDigit(this.text[this.pos])) {
      this.pos++;
    }
  }

  private literal(word: string): void {
    if (this.text.startsWith(word, this.pos)) {
      this.pos += word.length;
      return;
    }
    const found = /^[A-Za-z_]*/.exec(this.text.slice(this.pos))![0];
    throw this.fail(`invalid literal "${found}"; write true, false or null (strings need double quotes)`);
  }

  private ws(): void {
    while (this.pos < this.text.length && ' \t\n\r'.includes(this.text[this.pos])) {
      this.pos++;
    }
  }

  private unexpected(expected: string): Failure {
    const c = this.text[this.pos];
    if (c === '/' && (this.text[this.pos + 1] === '/' || this.text[this.pos + 1] === '*')) {
      return this.fail('comments are not allowed in JSON; remove the comment');
    }
    if (c === "'") {
      return this.fail('single quotes are not allowed in JSON; use double quotes');
    }
    if (c !== undefined && /[A-Za-z_$]/.test(c) && expected.startsWith('a property name')) {
      return this.fail('property names must be in double quotes; write "name": ...');
    }
    return this.fail(`expected ${expected}, found ${this.describe()}`);
  }

  private describe(): string {
    const c = this.text[this.pos];
    if (c === undefined) {
      return 'the end of the file';
    }
    if (c === '\uFEFF') {
      return 'a byte order mark (save the file as UTF-8 without BOM)';
    }
    return c.trim() === '' ? `the character U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` : `'${c}'`;
  }

  private fail(message: string): Failure {
    return new Failure(this.pos, message);
  }
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}
