/*
 * transport.c - spec parsing, backend choice and the I/O shared by both
 * backends (both hand us a plain non-blocking fd, so read/write are common).
 */
#include "config.h"

#include "modem/transport.h"
#include "modem/transport_backend.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum transport_kind {
	TRANSPORT_TTY,
	TRANSPORT_SERIAL,
};

struct transport {
	int fd;
	enum transport_kind kind;
	void *sp_handle; /* libserialport's port (TRANSPORT_SERIAL) */
	char *path;
};

static void set_reason(char *reason, const char *fmt, ...)
		__attribute__((format(printf, 2, 3)));

static void set_reason(char *reason, const char *fmt, ...)
{
	va_list ap;

	if (!reason)
		return;
	va_start(ap, fmt);
	vsnprintf(reason, TRANSPORT_REASON_MAX, fmt, ap);
	va_end(ap);
}

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/*
 * A USB-attached tty goes to libserialport; anything else (ptys, on-board
 * UARTs, odd drivers) to termios. Decided on the resolved name (so that
 * /dev/serial/by-id/ symlinks count as what they point at) and, for other
 * names, on whether sysfs places the device under a USB bus.
 */
static enum transport_kind guess_kind(const char *path)
{
	char resolved[PATH_MAX], sys[PATH_MAX + 32], dev[PATH_MAX];
	const char *base;

	if (!realpath(path, resolved))
		return TRANSPORT_TTY; /* the open will report the error */
	base = strrchr(resolved, '/');
	base = base ? base + 1 : resolved;
	if (has_prefix(resolved, "/dev/pts/") || strcmp(base, "ptmx") == 0)
		return TRANSPORT_TTY;
	if (has_prefix(base, "ttyUSB") || has_prefix(base, "ttyACM"))
		return TRANSPORT_SERIAL;
	snprintf(sys, sizeof(sys), "/sys/class/tty/%s/device", base);
	if (realpath(sys, dev) && strstr(dev, "/usb"))
		return TRANSPORT_SERIAL;
	return TRANSPORT_TTY;
}

/* Parse "?baud=N&flow=rtscts|none" into the caller's settings. */
static int parse_options(const char *opt, int *baud, bool *rtscts, char *reason)
{
	while (*opt) {
		size_t n = strcspn(opt, "&");

		if (has_prefix(opt, "baud=")) {
			char *end;
			long v;

			errno = 0;
			v = strtol(opt + 5, &end, 10);
			if (errno || end != opt + n || end == opt + 5 ||
					v <= 0 || v > 4000000) {
				set_reason(reason, "bad baud in '%.*s'",
						(int) n, opt);
				return -EINVAL;
			}
			*baud = (int) v;
		} else if (n == 11 && has_prefix(opt, "flow=rtscts")) {
			*rtscts = true;
		} else if (n == 9 && has_prefix(opt, "flow=none")) {
			*rtscts = false;
		} else {
			set_reason(reason, "unknown option '%.*s'", (int) n,
					opt);
			return -EINVAL;
		}
		opt += n;
		if (*opt == '&')
			opt++;
	}
	return 0;
}

int transport_open(const char *spec, int baud, bool rtscts,
		struct transport **ret_tp, char *reason)
{
	struct transport *tp;
	enum transport_kind kind;
	char *path = NULL;
	const char *rest, *q;
	bool by_usb = false, forced = true;
	void *handle = NULL;
	int fd, r;

	if (!spec || !ret_tp) {
		set_reason(reason, "no port given");
		return -EINVAL;
	}
	if (has_prefix(spec, "tty:")) {
		kind = TRANSPORT_TTY;
		rest = spec + 4;
	} else if (has_prefix(spec, "serial:")) {
		kind = TRANSPORT_SERIAL;
		rest = spec + 7;
	} else if (has_prefix(spec, "usb-serial:")) {
		kind = TRANSPORT_SERIAL;
		by_usb = true;
		rest = spec + 11;
	} else if (spec[0] == '/') {
		kind = TRANSPORT_TTY;
		forced = false;
		rest = spec;
	} else {
		set_reason(reason,
				"bad port '%s': expected a /dev path or tty:, "
				"serial:, usb-serial:",
				spec);
		return -EINVAL;
	}
	q = strchr(rest, '?');
	if (q) {
		r = parse_options(q + 1, &baud, &rtscts, reason);
		if (r < 0)
			return r;
	}
	if (baud <= 0 || baud > 4000000) {
		set_reason(reason, "bad baud rate %d", baud);
		return -EINVAL;
	}
	path = strndup(rest, q ? (size_t) (q - rest) : strlen(rest));
	if (!path) {
		set_reason(reason, "out of memory");
		return -ENOMEM;
	}
	if (path[0] == '\0' || (!by_usb && path[0] != '/')) {
		set_reason(reason, "bad port '%s': empty or relative path",
				spec);
		r = -EINVAL;
		goto out_free_path;
	}
	if (by_usb) {
		char *found;

		r = transport_serial_find_usb(path, &found);
		if (r < 0) {
			if (r == -ENOENT)
				set_reason(reason,
						"no USB serial port with "
						"serial "
						"number '%s'",
						path);
			else
				set_reason(reason,
						"cannot list serial ports: %s",
						strerror(-r));
			goto out_free_path;
		}
		free(path);
		path = found;
	}
	if (!forced)
		kind = guess_kind(path);

	tp = calloc(1, sizeof(*tp));
	if (!tp) {
		set_reason(reason, "out of memory");
		r = -ENOMEM;
		goto out_free_path;
	}
	if (kind == TRANSPORT_TTY)
		fd = transport_tty_open(path, baud, rtscts, reason);
	else
		fd = transport_serial_open(path, baud, rtscts, &handle, reason);
	if (fd < 0) {
		r = fd;
		free(tp);
		goto out_free_path;
	}
	tp->fd = fd;
	tp->kind = kind;
	tp->sp_handle = handle;
	tp->path = path;
	*ret_tp = tp;
	return fd;

out_free_path:
	free(path);
	return r;
}

int transport_fd(const struct transport *tp)
{
	return tp->fd;
}

const char *transport_path(const struct transport *tp)
{
	return tp->path;
}

const char *transport_backend(const struct transport *tp)
{
	return tp->kind == TRANSPORT_TTY ? "tty" : "serial";
}

/*
 * A vanished device shows up in several ways: read() returning 0 (pty
 * master closed, on some kernels), EIO (pty master closed, USB unplugged),
 * ENXIO/ENODEV (device removed), EPIPE/ECONNRESET. They all mean the same to
 * the caller: close and reopen later.
 */
static bool errno_is_gone(int e)
{
	return e == EIO || e == ENXIO || e == ENODEV || e == EPIPE ||
	       e == ECONNRESET || e == EBADF;
}

ssize_t transport_read(struct transport *tp, void *buf, size_t len)
{
	ssize_t n;

	if (!tp || !buf || len == 0)
		return -EINVAL;
	do {
		n = read(tp->fd, buf, len);
	} while (n < 0 && errno == EINTR);
	if (n > 0)
		return n;
	if (n == 0)
		return -ECONNRESET;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return -EAGAIN;
	if (errno_is_gone(errno))
		return -ECONNRESET;
	return -errno;
}

ssize_t transport_write(struct transport *tp, const void *buf, size_t len)
{
	ssize_t n;

	if (!tp || !buf)
		return -EINVAL;
	if (len == 0)
		return 0;
	do {
		n = write(tp->fd, buf, len);
	} while (n < 0 && errno == EINTR);
	if (n > 0)
		return n;
	if (n == 0 || errno == EAGAIN || errno == EWOULDBLOCK)
		return -EAGAIN;
	if (errno_is_gone(errno))
		return -ECONNRESET;
	return -errno;
}

void transport_close(struct transport *tp)
{
	if (!tp)
		return;
	if (tp->kind == TRANSPORT_SERIAL)
		transport_serial_close(tp->sp_handle); /* closes the fd */
	else
		close(tp->fd);
	free(tp->path);
	free(tp);
}
