/*
 * sct types as MPI datatypes: a typecode is MPI's predefined type of the
 * same C type, a struct is MPI_Type_create_struct over its fields
 * (resized to its size, so that elements follow each other as in C).
 * MPI then moves exactly the bytes the type has, and could convert them
 * between unlike machines.
 */
#include "mpi_internal.h"

#include <stdlib.h>

MPI_Datatype sct__mpi_code_datatype(char code) {
  switch (code) {
  case 'c': return MPI_CHAR;
  case 'u': return MPI_WCHAR;
  case 'b': return MPI_SIGNED_CHAR;
  case 'B': return MPI_UNSIGNED_CHAR;
  case 'h': return MPI_SHORT;
  case 'H': return MPI_UNSIGNED_SHORT;
  case 'i': return MPI_INT;
  case 'I': return MPI_UNSIGNED;
  case 'l': return MPI_LONG;
  case 'L': return MPI_UNSIGNED_LONG;
  case 'q': return MPI_LONG_LONG;
  case 'Q': return MPI_UNSIGNED_LONG_LONG;
  case 'f': return MPI_FLOAT;
  case 'd': return MPI_DOUBLE;
  default: return MPI_DATATYPE_NULL;
  }
}

static int struct_datatype(const sct_type_t *type, MPI_Datatype *out);

/* The datatype of @p type, not committed (a part of a larger one). */
static int part_datatype(const sct_type_t *type, MPI_Datatype *out,
                         int *made) {
  char code = sct_type_code(type);
  *made = code == 0;
  if (code) {
    *out = sct__mpi_code_datatype(code);
    return *out == MPI_DATATYPE_NULL ? SCT_ETYPE : 0;
  }
  return struct_datatype(type, out);
}

static int struct_datatype(const sct_type_t *type, MPI_Datatype *out) {
  size_t n = sct_type_nfields(type);
  int *lengths = malloc(n * sizeof *lengths);
  MPI_Aint *displacements = malloc(n * sizeof *displacements);
  MPI_Datatype *types = malloc(n * sizeof *types);
  int *made = calloc(n, sizeof *made);
  int rc = lengths && displacements && types && made ? 0 : SCT_ENOMEM;
  size_t done = 0;
  for (; rc == 0 && done < n; done++) {
    sct_field_t f;
    types[done] = MPI_DATATYPE_NULL;
    if ((rc = sct_type_field_at(type, done, &f)) != 0)
      break;
    rc = part_datatype(f.type, &types[done], &made[done]);
    lengths[done] = (int)(f.count ? f.count : 1);
    displacements[done] = (MPI_Aint)f.offset;
  }
  MPI_Datatype packed;
  if (rc == 0) {
    int mrc = MPI_Type_create_struct((int)n, lengths, displacements, types,
                                     &packed);
    if (mrc == MPI_SUCCESS) {
      mrc = MPI_Type_create_resized(packed, 0, (MPI_Aint)sct_type_size(type),
                                    out);
      MPI_Type_free(&packed);
    }
    if (mrc != MPI_SUCCESS)
      rc = sct__mpi_fail(mrc, "MPI_Type_create_struct");
  }
  for (size_t i = 0; made && i < done; i++)
    if (made[i] && types[i] != MPI_DATATYPE_NULL)
      MPI_Type_free(&types[i]);
  free(lengths);
  free(displacements);
  free(types);
  free(made);
  return rc;
}

int sct__mpi_datatype(const sct_type_t *type, MPI_Datatype *out) {
  int made;
  int rc = part_datatype(type, out, &made);
  if (rc != 0)
    return rc;
  if (!made) {
    /* A predefined type: duplicated, so every handle frees its own. */
    MPI_CHECK(MPI_Type_dup(*out, out));
  }
  MPI_CHECK(MPI_Type_commit(out));
  return 0;
}

void sct__mpi_datatype_free(MPI_Datatype *dt) {
  if (*dt != MPI_DATATYPE_NULL)
    MPI_Type_free(dt);
}

/* A copy of a struct type from its fields (nested types are copied by
 * sct_type_new_struct itself). */
static int copy_struct(const sct_type_t *type, const sct_type_t **out) {
  size_t n = sct_type_nfields(type);
  sct_field_t *fields = malloc(n * sizeof *fields);
  sct_type_t *copy;
  if (!fields)
    return SCT_ENOMEM;
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < n; i++) {
    rc = sct_type_field_at(type, i, &fields[i]);
    /* A typecode field is given by its code, a nested one by its type. */
    if (fields[i].code)
      fields[i].type = NULL;
  }
  if (rc == 0)
    rc = sct_type_new_struct(&copy, NULL, sct_type_size(type),
                             sct_type_align(type), fields, n);
  free(fields);
  if (rc == 0)
    *out = copy;
  return rc;
}

int sct__mpi_type_copy(const sct_type_t *type, const sct_type_t **out) {
  if (sct_type_size(type) == 0)
    return SCT_EINVAL;
  if (sct_type_code(type) != 0)
    return sct_type_from_code(sct_type_code(type), out);
  return copy_struct(type, out);
}
