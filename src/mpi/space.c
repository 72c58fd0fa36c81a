/*
 * A space: each rank's segment in memory shared with its node's ranks
 * (MPI_Win_allocate_shared), and a window over the same bytes for every
 * rank (MPI_Win_create: MPI-3.1 cannot query a window of MPI_Win_allocate
 * for shared pointers). Both stay in a passive-target epoch (lock_all)
 * for the space's life, so that one-sided calls need no synchronisation
 * of their own but a flush.
 */
#include "mpi_internal.h"

#include <stdlib.h>
#include <string.h>

/* Objects start on a cache line; so do the directory and its entries. */
#define LINE 64

static size_t round_up(size_t n, size_t to) {
  return (n + to - 1) / to * to;
}

/* Every rank passes the same sizes: checked, since a rank that did not
 * would read another layout. */
static int same_everywhere(MPI_Comm comm, uint64_t mine, int *same) {
  uint64_t lo, hi;
  MPI_CHECK(MPI_Allreduce(&mine, &lo, 1, MPI_UINT64_T, MPI_MIN, comm));
  MPI_CHECK(MPI_Allreduce(&mine, &hi, 1, MPI_UINT64_T, MPI_MAX, comm));
  *same = lo == hi;
  return 0;
}

/* Where this node's ranks' segments are in this process. */
static int map_near(sct_mpi_space_t *sp) {
  MPI_Group world, node;
  int *node_ranks = malloc(sizeof(int) * (size_t)sp->node_size);
  int *ranks = malloc(sizeof(int) * (size_t)sp->node_size);
  sp->near = calloc((size_t)sp->size, sizeof *sp->near);
  if (!node_ranks || !ranks || !sp->near) {
    free(node_ranks);
    free(ranks);
    return SCT_ENOMEM;
  }
  for (int i = 0; i < sp->node_size; i++)
    node_ranks[i] = i;
  int rc = MPI_Comm_group(sp->comm, &world);
  if (rc == MPI_SUCCESS && (rc = MPI_Comm_group(sp->node_comm, &node)) ==
                               MPI_SUCCESS) {
    rc = MPI_Group_translate_ranks(node, sp->node_size, node_ranks, world,
                                   ranks);
    for (int i = 0; rc == MPI_SUCCESS && i < sp->node_size; i++) {
      MPI_Aint size;
      int disp;
      void *base;
      rc = MPI_Win_shared_query(sp->node_win, i, &size, &disp, &base);
      if (rc == MPI_SUCCESS)
        sp->near[ranks[i]] = base;
    }
    MPI_Group_free(&node);
    MPI_Group_free(&world);
  }
  free(node_ranks);
  free(ranks);
  return rc == MPI_SUCCESS ? 0 : sct__mpi_fail(rc, "MPI_Win_shared_query");
}

/* How many nodes: the ranks that are 0 on their node. */
static int count_nodes(sct_mpi_space_t *sp) {
  int node_rank;
  MPI_CHECK(MPI_Comm_rank(sp->node_comm, &node_rank));
  int first = node_rank == 0;
  MPI_CHECK(MPI_Allreduce(&first, &sp->nodes, 1, MPI_INT, MPI_SUM, sp->comm));
  return 0;
}

static int make_windows(sct_mpi_space_t *sp) {
  MPI_Info info;
  void *base;
  MPI_CHECK(MPI_Info_create(&info));
  /* Each rank's segment where it is fastest for that rank. */
  MPI_Info_set(info, "alloc_shared_noncontig", "true");
  int rc = MPI_Win_allocate_shared((MPI_Aint)sp->segment_size, 1, info,
                                   sp->node_comm, &base, &sp->node_win);
  MPI_Info_free(&info);
  if (rc != MPI_SUCCESS)
    return sct__mpi_fail(rc, "MPI_Win_allocate_shared");
  MPI_Win_set_errhandler(sp->node_win, MPI_ERRORS_RETURN);
  /* New objects are zeroed: the space's memory is never reused. */
  memset(base, 0, sp->segment_size);
  MPI_CHECK(MPI_Win_create(base, (MPI_Aint)sp->segment_size, 1,
                           MPI_INFO_NULL, sp->comm, &sp->win));
  MPI_Win_set_errhandler(sp->win, MPI_ERRORS_RETURN);
  MPI_CHECK(MPI_Win_lock_all(MPI_MODE_NOCHECK, sp->node_win));
  MPI_CHECK(MPI_Win_lock_all(MPI_MODE_NOCHECK, sp->win));
  return map_near(sp);
}

static int layout(sct_mpi_space_t *sp, size_t bytes_per_rank,
                  unsigned max_objects) {
  size_t dir = round_up(DIR_USED_OFFSET + 8 * (size_t)sp->size, LINE);
  sp->entries_offset = dir;
  sp->data_offset = dir + (size_t)max_objects * sizeof(entry_t);
  sp->max_objects = max_objects;
  if (bytes_per_rank > SIZE_MAX / 2 || sp->data_offset > SIZE_MAX / 2)
    return SCT_EOVERFLOW;
  sp->segment_size = sp->data_offset + round_up(bytes_per_rank, LINE);
  return 0;
}

static void release(sct_mpi_space_t *sp) {
  if (sp->win != MPI_WIN_NULL) {
    MPI_Win_unlock_all(sp->win);
    MPI_Win_free(&sp->win);
  }
  if (sp->node_win != MPI_WIN_NULL) {
    MPI_Win_unlock_all(sp->node_win);
    MPI_Win_free(&sp->node_win);
  }
  if (sp->node_comm != MPI_COMM_NULL)
    MPI_Comm_free(&sp->node_comm);
  if (sp->comm != MPI_COMM_NULL)
    MPI_Comm_free(&sp->comm);
  free(sp->near);
  sp->magic = SCT_MPI_MAGIC_FREED;
  free(sp);
}

static int setup(sct_mpi_space_t *sp, MPI_Comm comm, size_t bytes_per_rank,
                 unsigned max_objects) {
  int same_bytes = 0, same_count = 0;
  MPI_CHECK(MPI_Comm_dup(comm, &sp->comm));
  MPI_Comm_set_errhandler(sp->comm, MPI_ERRORS_RETURN);
  MPI_CHECK(MPI_Comm_rank(sp->comm, &sp->rank));
  MPI_CHECK(MPI_Comm_size(sp->comm, &sp->size));
  int rc = same_everywhere(sp->comm, bytes_per_rank, &same_bytes);
  if (rc == 0)
    rc = same_everywhere(sp->comm, max_objects, &same_count);
  if (rc != 0)
    return rc;
  if (!same_bytes || !same_count)
    return sct__mpi_detail(SCT_EINVAL, "sct_mpi_space_create: the ranks "
                                       "passed different sizes");
  if ((rc = layout(sp, bytes_per_rank, max_objects)) != 0)
    return rc;
  MPI_CHECK(MPI_Comm_split_type(sp->comm, MPI_COMM_TYPE_SHARED, sp->rank,
                                MPI_INFO_NULL, &sp->node_comm));
  MPI_CHECK(MPI_Comm_size(sp->node_comm, &sp->node_size));
  if ((rc = count_nodes(sp)) != 0 || (rc = make_windows(sp)) != 0)
    return rc;
  sp->cpu_atomics = sp->nodes == 1;
  MPI_CHECK(MPI_Barrier(sp->comm));
  return 0;
}

int sct_mpi_space_create(MPI_Comm comm, size_t bytes_per_rank,
                         unsigned max_objects, sct_mpi_space_t **out) {
  int initialized = 0, finalized = 0;
  if (!out || comm == MPI_COMM_NULL || bytes_per_rank == 0 ||
      max_objects == 0)
    return SCT_EINVAL;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (!initialized || finalized)
    return sct__mpi_detail(SCT_EINVAL, "sct_mpi_space_create: MPI is not "
                                       "initialised (or already finalised)");
  sct_mpi_space_t *sp = calloc(1, sizeof *sp);
  if (!sp)
    return SCT_ENOMEM;
  sp->magic = SCT_MPI_MAGIC_SPACE;
  sp->comm = sp->node_comm = MPI_COMM_NULL;
  sp->win = sp->node_win = MPI_WIN_NULL;
  int rc = setup(sp, comm, bytes_per_rank, max_objects);
  if (rc != 0) {
    release(sp);
    return rc;
  }
  *out = sp;
  return 0;
}

int sct_mpi_space_free(sct_mpi_space_t *sp) {
  int rc = sct__mpi_space_check(sp);
  if (rc != 0)
    return rc;
  /* No rank may free its memory while another still reaches into it. */
  int brc = MPI_Barrier(sp->comm);
  release(sp);
  return brc == MPI_SUCCESS ? 0 : sct__mpi_fail(brc, "MPI_Barrier");
}

int sct_mpi_space_info(sct_mpi_space_t *sp, sct_mpi_space_info_t *out) {
  int64_t used = 0;
  int rc = sct__mpi_space_check(sp);
  if (rc != 0 || !out)
    return rc ? rc : SCT_EINVAL;
  rc = sct__mpi_load64(sp, 0, DIR_USED_OFFSET + 8 * (uint64_t)sp->rank, &used);
  if (rc != 0)
    return rc;
  out->rank = sp->rank;
  out->size = sp->size;
  out->nodes = sp->nodes;
  out->node_size = sp->node_size;
  out->cpu_atomics = sp->cpu_atomics;
  out->bytes_free = sp->segment_size - sp->data_offset - (size_t)used;
  return 0;
}
