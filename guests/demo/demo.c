/*
 * wasmvisor demo guest: what `npm start` boots. Bare metal, no libc: prints through HTIF
 * (console putchar = device 1, command 1), shows a few things the hart does - CSRs, some
 * arithmetic, traps, U-mode, an Sv39 page table, a timer interrupt with WFI - and exits 0
 * through HTIF tohost.
 */
#include <stdint.h>

extern volatile uint64_t tohost, fromhost;
void run_user(void (*fn)(void), void *sp);
void user_return(void);

#define CSR_READ(name) ({ uint64_t v_; __asm__ volatile("csrr %0, " #name : "=r"(v_)); v_; })
#define CSR_WRITE(name, v) __asm__ volatile("csrw " #name ", %0" ::"r"((uint64_t)(v)))
#define CSR_SET(name, v) __asm__ volatile("csrs " #name ", %0" ::"r"((uint64_t)(v)))
#define CSR_CLEAR(name, v) __asm__ volatile("csrc " #name ", %0" ::"r"((uint64_t)(v)))

#define MSTATUS_MIE (1ul << 3)
#define MSTATUS_MPP (3ul << 11)
#define MSTATUS_MPRV (1ul << 17)
#define MIP_MTIP (1ul << 7)
#define CLINT_MTIMECMP ((volatile uint64_t *)0x2004000)
#define CLINT_MTIME ((volatile uint64_t *)0x200bff8)

/* ---- console */
static void putch(char c) {
  while (tohost) fromhost = 0;          /* the host clears tohost when it took the command */
  tohost = (1ul << 56) | (1ul << 48) | (uint8_t)c;
}
static void puts_(const char *s) { while (*s) putch(*s++); }
static void puthex(uint64_t v) {
  puts_("0x");
  int started = 0;
  for (int sh = 60; sh >= 0; sh -= 4) {
    unsigned d = (v >> sh) & 15;
    if (d || started || sh == 0) { putch("0123456789abcdef"[d]); started = 1; }
  }
}
static void putdec(uint64_t v) {
  char b[21];
  int i = 20;
  b[i] = 0;
  do { b[--i] = (char)('0' + v % 10); v /= 10; } while (v);
  puts_(b + i);
}

__attribute__((noreturn)) void exit(int code) {
  while (tohost) fromhost = 0;
  tohost = ((uint64_t)code << 1) | 1;
  for (;;) __asm__ volatile("wfi");
}

/* ---- traps */
static volatile uint64_t last_cause, last_tval, trap_count;

uint64_t handle_trap(uint64_t cause, uint64_t epc, uint64_t tval) {
  last_cause = cause;
  last_tval = tval;
  trap_count++;
  if ((int64_t)cause < 0) {                  /* interrupt: the timer; silence it */
    *CLINT_MTIMECMP = ~0ul;
    return epc;
  }
  if (cause == 8) {                          /* ECALL from U: back to M at user_return */
    CSR_SET(mstatus, MSTATUS_MPP);
    return (uint64_t)user_return;
  }
  uint16_t insn = *(volatile uint16_t *)epc; /* skip the faulting instruction */
  return epc + ((insn & 3) == 3 ? 4 : 2);
}

/* ---- a little work */
static uint8_t composite[10000];

static uint32_t crc32(const char *s) {
  uint32_t c = 0xffffffffu;
  while (*s) {
    c ^= (uint8_t)*s++;
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
  }
  return ~c;
}

static volatile uint64_t user_result;
static uint64_t user_stack[256];

static void user_main(void) {                /* runs in U-mode */
  uint64_t s = 0;
  for (int i = 1; i <= 100; i++) s += (uint64_t)i * i;
  user_result = s;
  __asm__ volatile("ecall");
}

/* Sv39 root table: 1 GiB leaves, identity over RAM and VA 0x100000000 -> RAM (A = 0 there:
   the hart sets it on first use) */
static uint64_t root[512] __attribute__((aligned(4096)));
static const char secret[] = "hello through Sv39";

int main(void) {
  uint64_t i0 = CSR_READ(minstret), c0 = CSR_READ(mcycle), t0 = CSR_READ(time);

  puts_("\nwasmvisor demo guest\n");
  puts_("====================\n");

  /* who am I */
  uint64_t misa = CSR_READ(misa);
  puts_("hart ");
  putdec(CSR_READ(mhartid));
  puts_(": RV");
  putdec(misa >> 62 == 2 ? 64 : misa >> 62 == 1 ? 32 : 128);
  for (int b = 0; b < 26; b++) if (misa & (1ul << b)) putch((char)('A' + b));
  puts_(" (misa ");
  puthex(misa);
  puts_("), mvendorid ");
  puthex(CSR_READ(mvendorid));
  puts_("\n");

  /* arithmetic */
  uint64_t count = 0, sum = 0;
  for (uint64_t n = 2; n < 10000; n++) {
    if (composite[n]) continue;
    count++;
    sum += n;
    for (uint64_t m = n * n; m < 10000; m += n) composite[m] = 1;
  }
  puts_("primes below 10000: ");
  putdec(count);
  puts_(", their sum ");
  putdec(sum);
  puts_("\ncrc32(\"The quick brown fox jumps over the lazy dog\") = ");
  puthex(crc32("The quick brown fox jumps over the lazy dog"));
  puts_("\n");

  /* traps */
  __asm__ volatile("ecall");
  puts_("trap: ECALL from M-mode handled, mcause ");
  putdec(last_cause);
  __asm__ volatile(".4byte 0x1234500b");    /* custom-0 opcode: not implemented */
  puts_("; illegal instruction handled, mcause ");
  putdec(last_cause);
  puts_(", mtval ");
  puthex(last_tval);
  puts_("\n");

  /* U-mode */
  run_user(user_main, user_stack + 256);
  puts_("user mode: sum of squares 1..100 = ");
  putdec(user_result);
  puts_(", came back with ECALL from U (mcause ");
  putdec(last_cause);
  puts_(")\n");

  /* paging: M-mode loads through Sv39 with MPRV = 1, MPP = S */
  uint64_t va = 0x100000000ul + ((uint64_t)secret - 0x80000000ul);
  root[2] = (0x80000000ul >> 12) << 10 | 0xcf;  /* identity for RAM (stack, code): VRWXAD */
  root[4] = (0x80000000ul >> 12) << 10 | 0x0f;  /* VA 4 GiB -> RAM: V R W X, A = D = 0 */
  CSR_WRITE(satp, (8ul << 60) | ((uint64_t)root >> 12));
  __asm__ volatile("sfence.vma");
  char copy[sizeof secret];
  CSR_CLEAR(mstatus, MSTATUS_MPP);
  CSR_SET(mstatus, (1ul << 11) | MSTATUS_MPRV);
  for (unsigned k = 0; k < sizeof secret; k++) copy[k] = ((volatile char *)va)[k];
  CSR_CLEAR(mstatus, MSTATUS_MPRV);
  CSR_WRITE(satp, 0);
  __asm__ volatile("sfence.vma");
  puts_("paging: Sv39 on, VA ");
  puthex(va);
  puts_(" reads \"");
  puts_(copy);
  puts_("\", A bit set by the hart: ");
  puts_(root[4] & 0x40 ? "yes" : "no");
  puts_(", back to bare\n");

  /* a timer interrupt 1 ms from now; WFI waits for it */
  uint64_t before = *CLINT_MTIME, traps = trap_count;
  *CLINT_MTIMECMP = before + 10000;
  CSR_WRITE(mie, MIP_MTIP);
  CSR_SET(mstatus, MSTATUS_MIE);
  while (trap_count == traps) __asm__ volatile("wfi");
  CSR_CLEAR(mstatus, MSTATUS_MIE);
  CSR_WRITE(mie, 0);
  puts_("timer: WFI woke up on the machine timer interrupt after ");
  putdec((*CLINT_MTIME - before) / 10);
  puts_(" us\n");

  uint64_t i1 = CSR_READ(minstret), c1 = CSR_READ(mcycle), t1 = CSR_READ(time);
  puts_("this run: ");
  putdec(i1 - i0);
  puts_(" instructions retired, ");
  putdec(c1 - c0);
  puts_(" cycles, ");
  putdec((t1 - t0) / 10);
  puts_(" us of mtime\nbye\n");
  return 0;
}
