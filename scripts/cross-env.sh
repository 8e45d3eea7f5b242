# scripts/cross-env.sh: sourced by the cross scripts. Given a TARGET,
# ARCH or SUITE-ARCH (amd64, arm64, armhf; a bare ARCH is bookworm, and bare
# amd64 is the host's own build in build/), sets:
#   suite     the Debian suite the target's libraries come from
#   arch      the Debian architecture
#   triplet   the GNU triplet of Debian's cross toolchain
#   qemu      the qemu-user binary that runs it ("" for the host's own)
#   sysroot   the target's sysroot (scripts/cross-deps builds it)
#   out       where its build goes (the Makefile's B)
#   make_args what `make` needs to build for it
# shellcheck shell=bash
cross_env() {
        local target=$1 lfs=
        case $target in
        *-*) suite=${target%%-*} arch=${target#*-} ;;
        *)   suite=bookworm arch=$target ;;
        esac
        # One sysroot and build per suite and architecture, however named.
        [ "$target" = amd64 ] || target=$suite-$arch
        case $suite in
        bookworm|trixie) ;;
        *) echo "unknown suite '$suite' (bookworm, trixie)" >&2; return 2 ;;
        esac
        sysroot=$PWD/build/cross/$target/sysroot
        out=build/cross/$target/out
        case $arch in
        amd64) triplet=x86_64-linux-gnu qemu=qemu-x86_64 ;;
        arm64) triplet=aarch64-linux-gnu qemu=qemu-aarch64 ;;
        # 32-bit: large-file offsets, as Debian asks of 32-bit builds (and
        # readdir() under qemu-user on ext4 needs 64-bit offsets).
        # 64-bit time_t too (bookworm's default is 32-bit; trixie has 64), so
        # the 48-hour window, schedules and the state file work past 2038.
        armhf) triplet=arm-linux-gnueabihf qemu=qemu-arm
               lfs="-D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64" ;;
        *) echo "unknown architecture '$arch' (amd64, arm64, armhf)" >&2; return 2 ;;
        esac
        if [ "$target" = amd64 ]; then
                # The host's own build: no sysroot, run as it is.
                out=build qemu= sysroot=
                make_args=(B="$out")
                return 0
        fi
        local pc="$sysroot/usr/lib/$triplet/pkgconfig:$sysroot/usr/share/pkgconfig"
        local cc="$triplet-gcc --sysroot=$sysroot"
        # The host's own gcc looks in the host's /usr/lib before the
        # sysroot's, for crt1.o and libc.so alike: point it there first.
        [ "$arch" = amd64 ] &&
                cc+=" -B$sysroot/usr/lib/$triplet/ -L$sysroot/usr/lib/$triplet"
        make_args=(B="$out" CC="$cc $lfs"
                   PKG_CONFIG="env PKG_CONFIG_SYSROOT_DIR=$sysroot PKG_CONFIG_LIBDIR=$pc pkg-config")
}

# Debian's own hardening flags for the target, as a package build gets
# them (dpkg-buildflags with every hardening feature), into the
# environment: the Makefile adds its own to CPPFLAGS and takes CFLAGS and
# LDFLAGS as they are.
cross_buildflags() {
        local v
        for v in CFLAGS CPPFLAGS LDFLAGS; do
                export "$v=$(DEB_HOST_ARCH=$arch DEB_BUILD_MAINT_OPTIONS=hardening=+all \
                             dpkg-buildflags --get "$v")"
        done
}

# Sets run_cmd to the prefix that runs a target binary: nothing for the
# host's own build, qemu-user with the sysroot otherwise (amd64 too: a
# trixie binary needs trixie's libc). QEMU_EXTRA may add qemu options.
cross_prefix() {
        run_cmd=()
        # shellcheck disable=SC2206
        [ -n "$qemu" ] && run_cmd=("$qemu" ${QEMU_EXTRA:-} -L "$sysroot")
        return 0
}

# Runs a target binary in the foreground.
cross_run() {
        cross_prefix
        "${run_cmd[@]}" "$@"
}
