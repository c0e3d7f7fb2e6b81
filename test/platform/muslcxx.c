/*
 * muslcxx.c: what the musl lane adds to make Debian's static libstdc++
 * (built for glibc) into a libstdc++.so.6 that npm's musl Bun can load
 * under Debian's musl loader. The lane links this file with the archive
 * members Bun needs (each named with -u, as the loader reports them), with
 * musl-gcc; these are the three glibc-only symbols those members still ask
 * for.
 */
#define _GNU_SOURCE
#include <link.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/random.h>

/* glibc >= 2.32: lets libstdc++ skip atomics in a single-threaded process.
 * 0 means "may be threaded": always use them, which is always correct. */
char __libc_single_threaded = 0;

/* glibc >= 2.35: the unwinder's lookup of the object holding an address
 * (x86-64 layout, no eh_dbase member). Answered from dl_iterate_phdr, which
 * musl has. */
struct dl_find_object {
  unsigned long long dlfo_flags;
  void *dlfo_map_start;
  void *dlfo_map_end;
  struct link_map *dlfo_link_map;
  void *dlfo_eh_frame;
  unsigned long long reserved[7];
};

struct search {
  uintptr_t pc;
  struct dl_find_object *out;
  int found;
};

static int visit(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size;
  struct search *s = data;
  uintptr_t lo = UINTPTR_MAX, hi = 0;
  void *eh = NULL;
  int inside = 0;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    uintptr_t start = info->dlpi_addr + ph->p_vaddr;
    if (ph->p_type == PT_LOAD) {
      if (start < lo) lo = start;
      if (start + ph->p_memsz > hi) hi = start + ph->p_memsz;
      if (s->pc >= start && s->pc < start + ph->p_memsz) inside = 1;
    } else if (ph->p_type == PT_GNU_EH_FRAME) {
      eh = (void *)start;
    }
  }
  if (!inside) return 0;
  s->out->dlfo_flags = 0;
  s->out->dlfo_map_start = (void *)lo;
  s->out->dlfo_map_end = (void *)hi;
  s->out->dlfo_link_map = NULL;
  s->out->dlfo_eh_frame = eh;
  s->found = 1;
  return 1;
}

int _dl_find_object(void *pc, struct dl_find_object *out) {
  struct search s = {(uintptr_t)pc, out, 0};
  dl_iterate_phdr(visit, &s);
  return s.found ? 0 : -1;
}

/* glibc >= 2.36 (std::random_device): from the kernel's generator. */
uint32_t arc4random(void) {
  uint32_t v;
  while (getrandom(&v, sizeof v, 0) != (ssize_t)sizeof v) {
  }
  return v;
}
