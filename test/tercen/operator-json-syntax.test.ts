import * as fc from 'fast-check';
import { findJsonSyntaxError, lineAndColumn } from '../../src/tercen/operator-json-syntax';

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('findJsonSyntaxError agrees with JSON.parse', () => {
  test('every valid JSON document passes', () => {
    fc.assert(fc.property(fc.json(), text => findJsonSyntaxError(text) === undefined), { numRuns: 500 });
  });

  test('every valid document formatted with indentation passes', () => {
    fc.assert(fc.property(fc.jsonValue(), value => findJsonSyntaxError(JSON.stringify(value, undefined, 2) ?? 'null') === undefined), { numRuns: 300 });
  });

  test('on near-JSON strings it fails exactly when JSON.parse fails', () => {
    const token = fc.constantFrom(
      '{', '}', '[', ']', ',', ':', ' ', '\n', '\t', '"', '"a"', '"k"', '\\', '\\u00e9', '\\x', '1', '0', '-', '.', 'e', '+',
      'true', 'tru', 'null', 'false', '//', "'", 'a', '\u00a0', '\uFEFF', '\u0001',
    );
    fc.assert(fc.property(fc.array(token, { maxLength: 14 }), tokens => {
      const text = tokens.join('');
      return (findJsonSyntaxError(text) === undefined) === parses(text);
    }), { numRuns: 20_000 });
  });

  test('on single-character corruptions of a real manifest it fails exactly when JSON.parse fails', () => {
    const manifest = JSON.stringify({
      name: 'X', container: 'ghcr.io/x/y:0.1.0', properties: [{ kind: 'DoubleProperty', defaultValue: -1.5e3 }], ok: [true, false, null],
    }, undefined, 2);
    fc.assert(fc.property(
      fc.nat({ max: manifest.length - 1 }),
      fc.constantFrom('', ',', '}', ']', '"', ':', ' ', 'x', '0', '\n', '/'),
      (at, replacement) => {
        const text = manifest.slice(0, at) + replacement + manifest.slice(at + 1);
        const error = findJsonSyntaxError(text);
        expect(error === undefined).toBe(parses(text));
        if (error) {
          expect(error.offset).toBeGreaterThanOrEqual(0);
          expect(error.offset).toBeLessThanOrEqual(text.length);
        }
      }), { numRuns: 3_000 });
  });
});

describe('messages and positions', () => {
  test.each([
    ['{"a": 1 "b": 2}', 8, "expected ',' or '}' after the property value (is a comma missing?), found '\"'"],
    ['[1, 2,]', 5, "trailing comma before ']'; remove this ',' (JSON allows no trailing commas)"],
    ['{"a": 1,}', 7, "trailing comma before '}'; remove this ',' (JSON allows no trailing commas)"],
    ['{"a": 1, // note\n}', 9, 'comments are not allowed in JSON; remove the comment'],
    ["{'a': 1}", 1, 'single quotes are not allowed in JSON; use double quotes'],
    ['{a: 1}', 1, 'property names must be in double quotes; write "name": ...'],
    ['{"a": tru}', 6, 'invalid literal "tru"; write true, false or null (strings need double quotes)'],
    ['{"a": "x', 6, 'string is never closed; add the closing \'"\''],
    ['{"a": "x\ny"}', 8, 'line break inside a string; close the string on the same line or write \\n'],
    ['{"a": "\\q"}', 7, 'invalid escape \\q; valid escapes are \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX'],
    ['{"a": 01}', 7, 'numbers must not have leading zeros; remove the 0 (or quote the value as a string)'],
    ['{"a": 1.}', 8, 'expected a digit after the decimal point (write 1.0, not 1.), found \'}\''],
    ['{"a": 1} x', 9, "unexpected 'x' after the end of the JSON value; remove it (a JSON file holds exactly one value)"],
    ['', 0, 'expected a value (string, number, object, array, true, false or null), found the end of the file'],
    ['\uFEFF{}', 0, 'expected a value (string, number, object, array, true, false or null), found a byte order mark (save the file as UTF-8 without BOM)'],
  ])('%j', (text, offset, message) => {
    expect(parses(text)).toBe(false);
    expect(findJsonSyntaxError(text)).toEqual({ offset, ...lineAndColumn(text, offset), message });
  });

  test('line and column are one-based and count from the last line break', () => {
    expect(lineAndColumn('ab\ncd\nef', 0)).toEqual({ line: 1, column: 1 });
    expect(lineAndColumn('ab\ncd\nef', 4)).toEqual({ line: 2, column: 2 });
    expect(lineAndColumn('ab\ncd\nef', 8)).toEqual({ line: 3, column: 3 });
    expect(findJsonSyntaxError('{\n  "a": 1,\n  "b": 2,\n}')).toMatchObject({ line: 3, column: 9 });
  });

  test('absurd nesting is reported, not a stack overflow', () => {
    const text = '['.repeat(100_000);
    expect(parses(text)).toBe(false);
    expect(findJsonSyntaxError(text)?.message).toBe('nesting deeper than 512 levels; flatten the document');
  });
});
