/* vm.c - a bytecode interpreter loop: a small stack machine (switch dispatch) running a
 * program that walks the Collatz sequence of every start value below n, summing it. */
#include "bench.h"
enum { PUSH, LOAD, STORE, ADD, SUB, MUL, AND, SHR, JZ, JMP, LT, DUP, POP, HALT };
/* v[0] = n, v[1] = sum, v[2] = i, v[3] = x; the comments give each instruction's address */
static const uint32_t prog[] = {
    PUSH, 1, STORE, 2,                  /*  0: i = 1                      */
    LOAD, 2, LOAD, 0, LT, JZ, 63,       /*  4: while i < n                */
    LOAD, 2, STORE, 3,                  /* 11: x = i                      */
    PUSH, 1, LOAD, 3, LT, JZ, 54,       /* 15: while 1 < x                */
    LOAD, 3, PUSH, 1, AND, JZ, 39,      /* 22: if x is odd                */
    LOAD, 3, PUSH, 3, MUL, PUSH, 1, ADD, JMP, 44, /* 29: x*3+1            */
    LOAD, 3, PUSH, 1, SHR,              /* 39: else x>>1                  */
    DUP, STORE, 3, LOAD, 1, ADD, STORE, 1, JMP, 15, /* 44: x = it; sum += x */
    LOAD, 2, PUSH, 1, ADD, STORE, 2, JMP, 4, /* 54: i++                   */
    HALT,                               /* 63                             */
};
static uint32_t run(uint32_t n)
{
    uint32_t v[4] = {n, 0, 0, 0}, st[64];
    int sp = 0;
    const uint32_t *pc = prog;
    for (;;) {
        switch (*pc++) {
        case PUSH: st[sp++] = *pc++; break;
        case LOAD: st[sp++] = v[*pc++ & 3]; break;
        case STORE: v[*pc++ & 3] = st[--sp]; break;
        case ADD: sp--; st[sp - 1] += st[sp]; break;
        case SUB: sp--; st[sp - 1] -= st[sp]; break;
        case MUL: sp--; st[sp - 1] *= st[sp]; break;
        case AND: sp--; st[sp - 1] &= st[sp]; break;
        case SHR: sp--; st[sp - 1] >>= st[sp] & 31; break;
        case JZ: { uint32_t t = *pc++; if (!st[--sp]) pc = prog + t; break; }
        case JMP: pc = prog + *pc; break;
        case LT: sp--; st[sp - 1] = st[sp - 1] < st[sp]; break;
        case DUP: st[sp] = st[sp - 1]; sp++; break;
        case POP: sp--; break;
        case HALT: return v[1] ^ v[2];
        default: return 0xdeadu;
        }
        if (sp < 0 || sp > 60) return 0xbadu;
    }
}
BENCH uint32_t bench(uint32_t n) { return run(n); }
