/* branchy: data-dependent control flow. Collatz trajectory lengths (an unpredictable loop with
 * a two-way branch) and a table-less lexer state machine over generated text (a switch on
 * the state with character-class tests). */
#include "bench.h"

#define TEXT 4096u
static uint8_t text[TEXT];

static uint32_t collatz(uint64_t n) {
  uint32_t steps = 0;
  while (n != 1) {
    if (n & 1) n = 3 * n + 1;
    else n >>= 1;
    steps++;
  }
  return steps;
}

enum { S_SPACE, S_IDENT, S_NUMBER, S_HEX, S_STRING, S_ESCAPE, S_OP, S_COMMENT };

static uint64_t __attribute__((noinline)) lex(const uint8_t *p, uint32_t n) {
  uint32_t state = S_SPACE, idents = 0, numbers = 0, strings = 0, ops = 0, comments = 0, len = 0;
  uint64_t h = 0;
  for (uint32_t i = 0; i < n; i++) {
    uint8_t ch = p[i];
    switch (state) {
      case S_SPACE:
      start:
        len = 0;
        if (ch == ' ' || ch == '\n') state = S_SPACE;
        else if ((ch >= 'a' && ch <= 'z') || ch == '_') { state = S_IDENT; idents++; }
        else if (ch == '0' && i + 1 < n && p[i + 1] == 'x') { state = S_HEX; numbers++; i++; }
        else if (ch >= '0' && ch <= '9') { state = S_NUMBER; numbers++; }
        else if (ch == '"') { state = S_STRING; strings++; }
        else if (ch == '#') { state = S_COMMENT; comments++; }
        else { state = S_OP; ops++; }
        break;
      case S_IDENT:
        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_') len++;
        else { h = mix64(h, len); goto start; }
        break;
      case S_NUMBER:
        if (ch >= '0' && ch <= '9') len++;
        else goto start;
        break;
      case S_HEX:
        if ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')) len++;
        else goto start;
        break;
      case S_STRING:
        if (ch == '\\') state = S_ESCAPE;
        else if (ch == '"' || ch == '\n') state = S_SPACE;
        break;
      case S_ESCAPE:
        state = S_STRING;
        break;
      case S_OP:
        if (ch == '=' || ch == '>' || ch == '<') len++;
        else goto start;
        break;
      default: /* S_COMMENT */
        if (ch == '\n') state = S_SPACE;
        break;
    }
  }
  return mix64(h, ((uint64_t)idents << 40) ^ ((uint64_t)numbers << 30) ^ ((uint64_t)strings << 20)
                  ^ ((uint64_t)ops << 10) ^ comments);
}

static void gen_text(uint64_t *s) {
  static const char punct[] = "+-*/=<>(){};,.\"#\\";
  for (uint32_t i = 0; i < TEXT; i++) {
    uint64_t r = rng_next(s);
    uint32_t k = (uint32_t)(r >> 56);
    uint8_t ch;
    if (k < 96) ch = (uint8_t)('a' + (r >> 8) % 26);
    else if (k < 140) ch = (uint8_t)('0' + (r >> 8) % 10);
    else if (k < 150) ch = 'x';
    else if (k < 200) ch = ' ';
    else if (k < 212) ch = '\n';
    else if (k < 220) ch = '_';
    else ch = (uint8_t)punct[(r >> 8) % (sizeof punct - 1)];
    text[i] = ch;
  }
}

uint64_t bench_kernel(uint32_t iters, uint32_t seed) {
  uint64_t s = 0xD1B54A32D192ED03ULL ^ seed;
  uint64_t h = 0;
  gen_text(&s);
  for (uint32_t it = 0; it < iters; it++) {
    uint64_t base = 1 + (uint64_t)it * 97 + (seed & 0xffff);
    for (uint32_t k = 0; k < 64; k++) h = mix64(h, collatz(base + k));
    h = mix64(h, lex(text, TEXT));
    text[(uint32_t)h % TEXT] = (uint8_t)(' ' + (h >> 32) % 95);
  }
  return h;
}
