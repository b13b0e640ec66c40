/* calls: code shaped like an operating system kernel's, the code a Linux boot runs most: small
 * functions that call one another across many pages (a call or a return every ~8
 * instructions), stack frames saved and restored, calls through tables of function pointers,
 * and data structures reached through pointers. A hash table of objects with reference counts
 * and an LRU list: lookups, inserts, evictions, each through layers of small helpers.
 * Every function is kept out of line and aligned to 1 KiB, so the helpers spread over six
 * 4 KiB pages and most calls leave the caller's page. */
#include "bench.h"

#define FN static __attribute__((noinline, aligned(1024)))

#define BUCKETS 256u
#define OBJECTS 1024u

struct list { struct list *next, *prev; };

struct object {
  struct list hash;  /* in its bucket */
  struct list lru;   /* in the LRU list, most recent first */
  uint64_t key;
  uint64_t value;
  uint32_t refs;
  uint32_t flags;
};

struct table;
struct ops {
  uint64_t (*hash)(uint64_t key);
  int (*match)(const struct object *o, uint64_t key);
  void (*update)(struct object *o, uint64_t v);
};

struct table {
  struct list buckets[BUCKETS];
  struct list lru;
  const struct ops *ops;
  uint32_t used;
  uint64_t hits, misses, evictions;
};

static struct object pool[OBJECTS];
static struct table table;

FN void list_init(struct list *l) { l->next = l; l->prev = l; }
FN int list_empty(const struct list *l) { return l->next == l; }
FN void list_add(struct list *n, struct list *head) {
  struct list *next = head->next;
  n->next = next; n->prev = head; next->prev = n; head->next = n;
}
FN void list_del(struct list *n) {
  n->prev->next = n->next; n->next->prev = n->prev;
  n->next = n; n->prev = n;
}
FN void list_move(struct list *n, struct list *head) { list_del(n); list_add(n, head); }

#define CONTAINER(p, type, member) ((type *)((char *)(p) - __builtin_offsetof(type, member)))

FN uint64_t hash_mul(uint64_t key) { return (key * 0x9E3779B97F4A7C15ULL) >> 40; }
FN uint64_t hash_fold(uint64_t key) { uint64_t h = key ^ (key >> 29); return (h ^ (h >> 17)) * 0x2545F4914F6CDD1DULL >> 40; }
FN int match_key(const struct object *o, uint64_t key) { return o->key == key; }
FN void update_add(struct object *o, uint64_t v) { o->value += v; o->flags |= 1; }
FN void update_mix(struct object *o, uint64_t v) { o->value = mix64(o->value, v); o->flags |= 2; }

static const struct ops ops_a = { hash_mul, match_key, update_add };
static const struct ops ops_b = { hash_fold, match_key, update_mix };

FN struct list *bucket_of(struct table *t, uint64_t key) { return &t->buckets[t->ops->hash(key) & (BUCKETS - 1)]; }
FN void get_ref(struct object *o) { o->refs++; }
FN uint32_t put_ref(struct object *o) { return --o->refs; }

FN struct object *find(struct table *t, uint64_t key) {
  struct list *b = bucket_of(t, key);
  for (struct list *p = b->next; p != b; p = p->next) {
    struct object *o = CONTAINER(p, struct object, hash);
    if (t->ops->match(o, key)) return o;
  }
  return 0;
}

FN struct object *evict_one(struct table *t) {
  struct list *p = t->lru.prev; /* least recently used */
  struct object *o = CONTAINER(p, struct object, lru);
  list_del(&o->lru);
  list_del(&o->hash);
  t->evictions++;
  return o;
}

FN struct object *alloc_object(struct table *t) {
  if (t->used < OBJECTS) return &pool[t->used++];
  return evict_one(t);
}

FN struct object *insert(struct table *t, uint64_t key, uint64_t value) {
  struct object *o = alloc_object(t);
  o->key = key; o->value = value; o->refs = 1; o->flags = 0;
  list_add(&o->hash, bucket_of(t, key));
  list_add(&o->lru, &t->lru);
  return o;
}

FN uint64_t access(struct table *t, uint64_t key, uint64_t v) {
  struct object *o = find(t, key);
  if (o) { t->hits++; list_move(&o->lru, &t->lru); }
  else { t->misses++; o = insert(t, key, v); }
  get_ref(o);
  t->ops->update(o, v);
  return put_ref(o) + o->value;
}

FN void table_init(struct table *t, const struct ops *ops) {
  for (uint32_t i = 0; i < BUCKETS; i++) list_init(&t->buckets[i]);
  list_init(&t->lru);
  t->ops = ops; t->used = 0; t->hits = t->misses = t->evictions = 0;
}

FN uint64_t checksum(const struct table *t) {
  uint64_t h = mix64(mix64(t->hits, t->misses), t->evictions);
  for (uint32_t i = 0; i < BUCKETS; i++) {
    if (list_empty(&t->buckets[i])) continue;
    for (const struct list *p = t->buckets[i].next; p != &t->buckets[i]; p = p->next)
      h = mix64(h, CONTAINER(p, struct object, hash)->value);
  }
  return h;
}

uint64_t bench_kernel(uint32_t iters, uint32_t seed) {
  uint64_t s = seed | 1, h = 0;
  for (uint32_t it = 0; it < iters; it++) {
    table_init(&table, (it & 1) ? &ops_b : &ops_a);
    /* Keys from a range twice the pool's size, skewed to small ones: hits, misses and evictions. */
    for (uint32_t i = 0; i < 4096; i++) {
      uint64_t r = rng_next(&s);
      uint64_t key = (r >> 11) % ((r & 3) == 0 ? 2 * OBJECTS : OBJECTS / 2);
      h = mix64(h, access(&table, key, r));
    }
    h = mix64(h, checksum(&table));
  }
  return h;
}
