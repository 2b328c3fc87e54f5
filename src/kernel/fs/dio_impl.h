/*
 * dio_impl.h - the insides shared by fs/aio.c, fs/direct-io.c and the
 * direct-I/O paths of mm/filemap.c (src/kernel/fs only).
 */
#ifndef COHSIM_KERNEL_DIO_IMPL_H
#define COHSIM_KERNEL_DIO_IMPL_H

#include "cohsim/aio.h"
#include "kernel/mm/mm_impl.h"

/* The file's aio_read / aio_write (file->f_op's in Linux): the generic
 * ones of filemap_dio.c for every file of the model. */
ssize_t coh__file_aio_rw(struct file *file, bool write, struct kiocb *iocb, const struct iovec *iov,
                         unsigned long nr_segs, loff_t pos);

#endif
