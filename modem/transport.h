/*
 * transport.h - byte-stream port to a modem: real serial devices through
 * libserialport, pseudo-terminals (and other non-USB ttys) through termios.
 *
 * The transport owns one file descriptor, non-blocking, which the caller puts
 * in its own poll() loop; there are no threads and no blocking calls inside.
 * libserialport 0.1.1 cannot open a pseudo-terminal, hence the two backends.
 *
 * Spec strings accepted by transport_open():
 *   "/dev/ttyUSB2"            auto: a pty or a non-USB tty -> termios backend,
 *                             ttyUSB* / ttyACM* (also through symlinks such as
 *                             /dev/serial/by-id/...) -> libserialport
 *   "tty:/dev/pts/5"          termios backend, whatever the device
 *   "serial:/dev/ttyUSB2"     libserialport backend
 *   "usb-serial:<serial>"     the USB port whose USB serial number matches, so
 *                             a modem is found again after re-enumeration
 * Any of them may end in "?baud=<n>&flow=rtscts|none", which overrides the
 * baud and rtscts arguments.
 */
#ifndef FIELDGATE_MODEM_TRANSPORT_H
#define FIELDGATE_MODEM_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct transport;

/* Longest reason text transport_open() writes, NUL included. */
#define TRANSPORT_REASON_MAX 160

/*
 * Open the port named by @spec at @baud (8N1; ignored by ptys), with RTS/CTS
 * flow control if @rtscts. The fd is non-blocking and close-on-exec.
 *
 * On success returns the fd (>= 0, also available via transport_fd()) and
 * stores the new transport in *@ret_tp; the caller frees it with
 * transport_close(). @reason (may be NULL) receives a human-readable
 * explanation on failure, TRANSPORT_REASON_MAX bytes at most.
 *
 * Errors: -EINVAL malformed spec or baud, -ENOENT no such device (also
 * "usb-serial:" with no matching port), -EACCES, -EBUSY, -ENOTTY (not a
 * terminal), -ENOMEM, -EIO other failures.
 */
int transport_open(const char *spec, int baud, bool rtscts,
		struct transport **ret_tp, char *reason);

/* The poll()able fd of @tp (owned by @tp: never close it yourself). */
int transport_fd(const struct transport *tp);

/* The device path actually opened (owned by @tp). */
const char *transport_path(const struct transport *tp);

/* Which backend serves @tp: "tty" or "serial" (static string). */
const char *transport_backend(const struct transport *tp);

/*
 * Read up to @len bytes into @buf without blocking.
 * Returns the count (> 0), -EAGAIN if nothing is available, -ECONNRESET if
 * the device is gone (EOF, EIO, hang-up: USB unplugged, pty master closed),
 * -EINVAL for len 0, another -errno on other failures.
 */
ssize_t transport_read(struct transport *tp, void *buf, size_t len);

/*
 * Write up to @len bytes from @buf without blocking; may write fewer.
 * Returns the count (> 0), -EAGAIN if the device cannot take any byte now,
 * -ECONNRESET if the device is gone, another -errno on other failures.
 */
ssize_t transport_write(struct transport *tp, const void *buf, size_t len);

/* Close the device and free @tp. NULL is a no-op. */
void transport_close(struct transport *tp);

/* One serial port as listed by transport_list_ports(). */
struct transport_port {
	char *name;	    /* device path, e.g. "/dev/ttyUSB2" */
	char *description;  /* libserialport's description, or "" */
	int usb_vid;	    /* USB vendor id, -1 if not a USB port */
	int usb_pid;	    /* USB product id, -1 if not a USB port */
	char *manufacturer; /* USB strings, "" when unknown */
	char *product;
	char *serial;
};

/*
 * List the serial ports of this host (through libserialport). On success
 * returns the count and stores an array of that many entries in *@ret_ports
 * (NULL when the count is 0); the caller frees it with transport_ports_free().
 * Errors: -ENOMEM, -EIO (listing failed).
 */
int transport_list_ports(struct transport_port **ret_ports);

/* Free an array returned by transport_list_ports(). NULL is a no-op. */
void transport_ports_free(struct transport_port *ports, size_t count);

#endif /* FIELDGATE_MODEM_TRANSPORT_H */
