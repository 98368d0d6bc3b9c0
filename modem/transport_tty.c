/*
 * transport_tty.c - termios backend: pseudo-terminals (the simulator's) and
 * plain non-USB ttys. libserialport 0.1.1 cannot open a pty (its sysfs lookup
 * and a modem-line ioctl fail), so this backend exists.
 */
#include "config.h"

#include "modem/transport.h"
#include "modem/transport_backend.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static int baud_to_speed(int baud, speed_t *ret)
{
	static const struct {
		int baud;
		speed_t speed;
	} map[] = {
			{1200, B1200},
			{2400, B2400},
			{4800, B4800},
			{9600, B9600},
			{19200, B19200},
			{38400, B38400},
			{57600, B57600},
			{115200, B115200},
			{230400, B230400},
			{460800, B460800},
			{921600, B921600},
			{1000000, B1000000},
			{2000000, B2000000},
			{3000000, B3000000},
			{4000000, B4000000},
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (map[i].baud == baud) {
			*ret = map[i].speed;
			return 0;
		}
	}
	return -EINVAL;
}

int transport_tty_open(const char *path, int baud, bool rtscts, char *reason)
{
	struct termios tio;
	speed_t speed;
	int fd, r;

	if (baud_to_speed(baud, &speed) < 0) {
		if (reason)
			snprintf(reason, TRANSPORT_REASON_MAX,
					"unsupported baud rate %d", baud);
		return -EINVAL;
	}
	/* O_NOCTTY: a modem must never become our controlling terminal. */
	fd = open(path, O_RDWR | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		if (reason)
			snprintf(reason, TRANSPORT_REASON_MAX, "open %s: %s",
					path, strerror(errno));
		return r;
	}
	if (tcgetattr(fd, &tio) < 0) {
		r = -errno;
		if (reason)
			snprintf(reason, TRANSPORT_REASON_MAX,
					"%s is not a terminal: %s", path,
					strerror(errno));
		goto out_close;
	}
	/*
	 * Raw: no CR/LF translation, no line buffering, no echo, no signals.
	 * An AT channel depends on seeing exactly the bytes the modem sent.
	 */
	cfmakeraw(&tio);
	tio.c_cflag |= CLOCAL | CREAD;
	tio.c_cflag &= ~(CSIZE | PARENB | CSTOPB);
	tio.c_cflag |= CS8;
	if (rtscts)
		tio.c_cflag |= CRTSCTS;
	else
		tio.c_cflag &= ~CRTSCTS;
	tio.c_cc[VMIN] = 1;
	tio.c_cc[VTIME] = 0;
	cfsetispeed(&tio, speed);
	cfsetospeed(&tio, speed);
	if (tcsetattr(fd, TCSANOW, &tio) < 0) {
		r = -errno;
		if (reason)
			snprintf(reason, TRANSPORT_REASON_MAX,
					"cannot configure %s: %s", path,
					strerror(errno));
		goto out_close;
	}
	return fd;

out_close:
	close(fd);
	return r;
}
