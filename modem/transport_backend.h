/*
 * transport_backend.h - internal to modem/transport*.c: the two backends.
 * Each returns an open, non-blocking, close-on-exec fd (>= 0) or -errno, and
 * writes a reason (TRANSPORT_REASON_MAX bytes) on failure.
 */
#ifndef FIELDGATE_MODEM_TRANSPORT_BACKEND_H
#define FIELDGATE_MODEM_TRANSPORT_BACKEND_H

#include <stdbool.h>

/* termios raw mode; works on ptys and plain ttys. */
int transport_tty_open(const char *path, int baud, bool rtscts, char *reason);

/*
 * libserialport. *@ret_handle receives the struct sp_port (opaque here) that
 * transport_serial_close() frees along with the fd.
 */
int transport_serial_open(const char *path, int baud, bool rtscts,
		void **ret_handle, char *reason);
void transport_serial_close(void *handle);

/*
 * Find the device path of the USB port whose serial number is @serial.
 * On success stores a malloc'd path (caller frees) in *@ret_path and
 * returns 0. -ENOENT no such port, -ENOMEM, -EIO listing failed.
 */
int transport_serial_find_usb(const char *serial, char **ret_path);

#endif /* FIELDGATE_MODEM_TRANSPORT_BACKEND_H */
