# syntax=docker/dockerfile:1
#
# The Lifeboat appliance as a container image.
#
#   docker build -t lifeboat .
#   docker run -d --name lifeboat -p 8080:8080 \
#     -v /var/run/libvirt:/var/run/libvirt \
#     -v /var/lib/lifeboat:/var/lib/lifeboat \
#     lifeboat
#
# The host runs libvirtd (scripts/host-setup.sh); the container talks to it over the mounted
# socket. Mount the data volume at the same path on both sides: libvirt, on the host, creates the
# backup NBD sockets and scratch files at paths the appliance chooses under /var/lib/lifeboat.
# JAVA_OPTS adds JVM options; arguments after the image name go to the appliance
# (e.g. --server.port=9090 — then also set SERVER_PORT=9090 so the health check follows).

# ---- build -------------------------------------------------------------------------------------
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src

# Poms first: the dependency layer is reused until a pom changes.
# Every module of the parent's <modules> must be listed here, or the reactor will not load.
COPY pom.xml ./
COPY cli/pom.xml cli/
COPY dedup-store/pom.xml dedup-store/
COPY nbd/pom.xml nbd/
COPY testkit/pom.xml testkit/
COPY kvm/pom.xml kvm/
COPY restore-agent/pom.xml restore-agent/
COPY scheduler/pom.xml scheduler/
COPY ui/pom.xml ui/
COPY appliance/pom.xml appliance/
COPY tests/pom.xml tests/
# An explicit local repository, so no VOLUME in a base image can drop the downloads between layers.
# Lifeboat's own modules come from the reactor, not from a repository.
RUN mvn -B -q -Dmaven.repo.local=/m2 dependency:go-offline -pl appliance -am -DexcludeGroupIds=io.lifeboat

COPY . .
# Only the appliance and what it depends on: the end-to-end tests module needs a browser and libvirtd.
RUN mvn -B -Dmaven.repo.local=/m2 -DskipTests -pl appliance -am package \
 && jars="$(ls appliance/target/appliance-*.jar | grep -v -e '-sources\.jar$' -e '-javadoc\.jar$' -e '-tests\.jar$')" \
 && [ "$(echo "$jars" | wc -l)" -eq 1 ] \
 && cp "$jars" /appliance.jar

# ---- runtime -----------------------------------------------------------------------------------
FROM debian:12-slim

# libvirt0: the client library libvirt-java loads through JNA (no daemon in the image).
# qemu-utils: qemu-img and qemu-nbd for restores and instant recovery.
# curl: the health check.
# The man1 directory works around openjdk's postinst failing on slim images that lack it.
RUN mkdir -p /usr/share/man/man1 \
 && apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      openjdk-17-jre-headless libvirt0 qemu-utils ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*

# Runs as root, by choice: the appliance drives the host's libvirtd through its root socket, and
# access to that socket is already root on the host, so a non-root user inside would protect
# nothing while breaking on socket and image ownership that differs from host to host.
# Restrict who can reach the container and its port instead.
# Half the memory limit for the heap: RocksDB, zstd and the page cache live outside it.
ENV LIFEBOAT_HOME=/var/lib/lifeboat \
    JAVA_OPTS="-XX:MaxRAMPercentage=50"

COPY --from=build /appliance.jar /opt/lifeboat/appliance.jar
RUN mkdir -p /var/lib/lifeboat
VOLUME /var/lib/lifeboat
WORKDIR /var/lib/lifeboat
EXPOSE 8080

# 503 (any component down, e.g. an unwritable store) makes curl -f fail: the container is unhealthy.
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s --retries=3 \
  CMD curl -fsS -o /dev/null "http://127.0.0.1:${SERVER_PORT:-8080}/actuator/health" || exit 1

# exec: java is PID 1 and gets SIGTERM directly, so Spring shuts down gracefully on docker stop.
ENTRYPOINT ["/bin/sh", "-c", "exec java $JAVA_OPTS -jar /opt/lifeboat/appliance.jar \"$@\"", "lifeboat"]
