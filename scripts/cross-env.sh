# scripts/cross-env.sh: sourced by the cross scripts. Given ARCH (amd64,
# arm64 or armhf), sets:
#   triplet   the GNU triplet of Debian's cross toolchain
#   qemu      the qemu-user binary that runs it ("" for the host's own)
#   sysroot   the target's sysroot (scripts/cross-deps builds it)
#   out       where its build goes (the Makefile's B)
#   make_args what `make` needs to build for it
# shellcheck shell=bash
cross_env() {
        local arch=$1 lfs=
        sysroot=$PWD/build/cross/$arch/sysroot
        out=build/cross/$arch/out
        case $arch in
        amd64) triplet=x86_64-linux-gnu qemu= ; out=build ;;
        arm64) triplet=aarch64-linux-gnu qemu=qemu-aarch64 ;;
        # 32-bit: large-file offsets, as Debian asks of 32-bit builds (and
        # readdir() under qemu-user on ext4 needs 64-bit offsets).
        # 64-bit time_t too (bookworm's default is 32-bit; trixie has 64), so
        # the 48-hour window, schedules and the state file work past 2038.
        armhf) triplet=arm-linux-gnueabihf qemu=qemu-arm
               lfs="-D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64" ;;
        *) echo "unknown architecture '$arch' (amd64, arm64, armhf)" >&2; return 2 ;;
        esac
        if [ "$arch" = amd64 ]; then
                make_args=(B="$out")
                return 0
        fi
        local pc="$sysroot/usr/lib/$triplet/pkgconfig:$sysroot/usr/share/pkgconfig"
        make_args=(B="$out" CC="$triplet-gcc --sysroot=$sysroot $lfs"
                   PKG_CONFIG="env PKG_CONFIG_SYSROOT_DIR=$sysroot PKG_CONFIG_LIBDIR=$pc pkg-config")
}

# Sets run_cmd to the prefix that runs a target binary: nothing for amd64,
# qemu-user otherwise. QEMU_EXTRA may add qemu options.
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
