/* wave.h - WAVE (the WebAssembly Value Encoding of wasm-wave): component values as text,
 * read and written against their type (weld/ctypes.h nodes, weld/crt.h values).
 *
 *   weld_cval v;  weld_diag d;  weld_diag_init(&d, "--invoke");
 *   if (weld_wave_parse(type, "{name: \"x\", tags: [1, 2]}", n, &v, &d)) ... d.col, d.message
 *   char *s = weld_wave_print(&v, type);   // "{name: \"x\", tags: [1, 2]}"
 *   free(s); weld_cval_free(&v);
 *
 * The syntax (https://github.com/bytecodealliance/wasm-tools/tree/main/crates/wasm-wave):
 *
 *   bool           true  false
 *   s8 .. u64      -12  300            (base 10, range-checked)
 *   f32 f64        3.5  -1e-3  nan  inf  -inf   (JSON numbers)
 *   char           'x'  '\''  '\u{1F600}'
 *   string         "a\tb\n"   and multiline: """<newline> lines <newline><spaces>"""
 *                  escapes \n \t \r \\ \' \" \u{X..}; the closing line's spaces are removed
 *                  from every line
 *   list           [1, 2, 3]                     (trailing commas allowed everywhere)
 *   tuple          (1, "x")
 *   record         {a: 1, b: "x"}   fields in any order; option fields may be left out
 *                  (none); a record with every field left out is {:}
 *   variant        case  case(payload)
 *   enum           case
 *   option         some(x)  none  or just x when x is not itself an option or result
 *   result         ok  ok(x)  err  err(e)  or just x for ok(x) (same rule)
 *   flags          {a, c}  {}
 *   labels         kebab-case; a `%` prefix is allowed on any label and needed for a case
 *                  named like a keyword (true false some none ok err inf nan): %none
 *   comments       // to the end of the line; whitespace between tokens is insignificant
 *
 * Resource handles have no WAVE syntax. weld prints own and borrow handles as
 * `#NAME<REP>` (NAME: the runtime resource type's name, else the type's; REP: the
 * representation), e.g. `#counter<3>`, and refuses them as input.
 *
 * The printer writes the canonical form: explicit some/ok, record fields in type order
 * with none-valued option fields left out, `%` only before keyword cases, floats in the
 * shortest form that reads back to the same value. What it prints parses back to an equal
 * value. Nothing here prints or keeps state.
 */
#ifndef WELD_WAVE_H
#define WELD_WAVE_H

#include "weld/crt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Parse one WAVE value of type `type` (text need not be NUL-terminated). On success *out
 * is owned by the caller (weld_cval_free); every node has `type` set (to the type of its
 * position) and lists of number types are packed (see weld_cval_list_packed). Errors:
 * WELD_ERR_SYNTAX with d->line/d->col (1-based, in text) and d->span, and a message saying
 * what was found and what was expected, the expected type in WIT terms ("expected
 * `list<u8>`, found string literal"); *out is left zeroed. Types WAVE cannot write (own,
 * borrow, map, stream, future, error-context) fail with WELD_ERR_UNSUPPORTED. */
weld_status weld_wave_parse(const weld_tnode *type, const char *text, size_t len, weld_cval *out,
                            weld_diag *d);

/* Print v (of `type`) as WAVE; a malloc'd NUL-terminated string, NULL on allocation failure. */
char *weld_wave_print(const weld_cval *v, const weld_tnode *type);

/* Split "name(args)" (name may be quoted-free text like ns:pkg/iface@1.0.0#fn or iface#fn
 * or fn): name and the text between the outer parentheses. Whitespace around the name is
 * dropped; a bare name without parentheses is a call without arguments. Both results
 * point into `text` (NUL-terminated: text, they are not NUL-terminated at their end).
 * Errors are WELD_ERR_SYNTAX with a column. */
weld_status weld_wave_split_call(const char *text, weld_str *name, weld_str *args, weld_diag *d);

/* Parse a comma-separated argument list against function type ft (kind WELD_TK_FUNC) into
 * out[0..nparams) (each owned by the caller: weld_cval_free); trailing arguments of option
 * types may be left out (none). A wrong argument is WELD_ERR_SYNTAX naming the parameter
 * and its expected WIT type ("argument `greeting`: expected `string`, found number 3"); a
 * wrong count likewise. On failure out[] is left zeroed. */
weld_status weld_wave_parse_args(const weld_tnode *ft, const char *text, size_t len, weld_cval *out,
                                 weld_diag *d);

#ifdef __cplusplus
}
#endif
#endif
