# Sourced by bin/tributary and the deploy scripts: the JVM options every Spark JVM of Tributary needs
# (TRIBUTARY_JAVA17_OPENS), the compile thresholds of submitted drivers and executors (TRIBUTARY_JIT), and
# those of the light JVMs only (TRIBUTARY_LIGHT_JVM, TRIBUTARY_DAEMON_OPTS).
# Spark's own --add-opens list for Java 17 (launcher/JavaModuleOptions) and the vector API module;
# the parent pom's java17.opens property carries the same list for tests.
TRIBUTARY_JAVA17_OPENS=(
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED
  --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  -Djdk.reflect.useDirectMethodHandle=false
  # The JDK's vector API, for the reference CNN's convolution layer (ConvPoolRelu); without it the
  # layer falls back to scalar code, several times slower.
  --add-modules=jdk.incubator.vector
)
# JVMs that start often and compute little: the local cluster's daemons (deploy/local-cluster: the Spark
# master and workers, HDFS, YARN's ResourceManager and NodeManagers), which do little once they are up,
# and the Hadoop command-line clients (deploy/hdfs.sh, deploy/yarn.sh). Starting one is mostly JIT
# compiling and class loading: the client compiler alone, one compiler thread and the serial collector
# take a third to a half off the CPU it takes (on a 2-core machine, the Spark master's start: 5.6 CPU-s and 3.4 s to ALIVE,
# against 2.6 and 2.1 s; `hdfs.sh -put` of 26 MB: 3.9 CPU-s and 2.7 s, against 2.1 and 2.2 s), CPU that
# the jobs they serve wait for on a small machine. Drivers and executors do not take these (see TRIBUTARY_JIT).
# TRIBUTARY_LIGHT_JVMS=0 gives these the defaults too (deploy/bench/cluster-start.sh compares both).
TRIBUTARY_LIGHT_JVM=()
if [[ "${TRIBUTARY_LIGHT_JVMS:-1}" != 0 ]]; then
  TRIBUTARY_LIGHT_JVM=(-XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:+UseSerialGC)
fi
# Drivers and executors that deploy/submit.sh starts: C2, the JIT's optimizing compiler, takes a method
# at ten times the invocations it would by default (loops' back-edge counts are unchanged). A cluster
# run's JVMs start cold, and before the first training step the JIT took over half the CPU of the driver
# and of each executor (on a 2-core machine: 4.8 of 8.3 CPU-s in the driver, 4.2 of 7.9 in an executor),
# most of it C2 compiling code that runs a few thousand times while Spark starts and the data is dealt.
# What training runs hot (the layers' loops, Adam's pass, the averaging) passes the thresholds in its
# first steps. Measured on the 2-worker local cluster (docs/performance.md, "Compile thresholds"), in two
# sittings: the first step came in 0.79x and 0.84x the time, the second epoch trained in 0.75x and 0.94x,
# the model was the same; three times the thresholds were slower than these. Local mode, one JVM, showed no difference and keeps the
# defaults. TRIBUTARY_JIT_THRESHOLDS=0 gives the JVM's defaults (deploy/bench/startup.sh --cluster --jit
# compares both).
TRIBUTARY_JIT=()
if [[ "${TRIBUTARY_JIT_THRESHOLDS:-1}" != 0 ]]; then
  TRIBUTARY_JIT=(-XX:Tier4InvocationThreshold=50000 -XX:Tier4MinInvocationThreshold=6000
    -XX:Tier4CompileThreshold=150000)
fi
# A daemon of the local cluster: the modules Spark needs opened, and the light options.
TRIBUTARY_DAEMON_OPTS=("${TRIBUTARY_JAVA17_OPENS[@]}" ${TRIBUTARY_LIGHT_JVM[@]+"${TRIBUTARY_LIGHT_JVM[@]}"})
