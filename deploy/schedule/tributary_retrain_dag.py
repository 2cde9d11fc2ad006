"""Airflow DAG: nightly retraining of the Tributary model into its registry on HDFS.

SparkSubmitOperator runs spark-submit itself, so it gets the settings deploy/submit.sh would pass
from a properties file written once per installation (re-run it after upgrading), together with the
cluster's RPC secret (deploy/SECURITY.md), kept out of every command line and readable by the Airflow
worker's user alone:

    (umask 077; { deploy/submit.sh --print-properties; cat /etc/tributary/spark-auth.conf; } \
        > deploy/target/spark-submit.properties)

where /etc/tributary/spark-auth.conf (mode 0600) holds one line: spark.authenticate.secret <secret>.
The operator turns on authentication and encryption itself (SPARK_SECURITY below).

Airflow's "spark_default" connection names the master (e.g. spark://spark-master:7077). The
registry's lock refuses a run while another retraining holds it, and a run on unchanged data is a
no-op; exit status 3 (retraining failed) or 2 (bad configuration or input) fails the task.

On YARN (TRIBUTARY_ON_YARN=1 in the scheduler's environment) the task uses the "spark_yarn"
connection (master yarn, extra {"deploy-mode": "cluster"}, HADOOP_CONF_DIR in the worker's
environment) and properties written for YARN, with no secret: Spark generates one for each
application. With TRIBUTARY_YARN_JARS the Spark jars are uploaded to HDFS once, and the properties
name them:

    HADOOP_CONF_DIR=/etc/hadoop/conf TRIBUTARY_YARN_JARS=hdfs://namenode:8020/apps/tributary \
        deploy/submit.sh --print-properties --master yarn --deploy-mode cluster \
        > deploy/target/spark-submit-yarn.properties

A failed run is a FAILED application, and spark-submit's non-zero exit fails the task.
"""
from datetime import datetime, timedelta
import os

from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

TRIBUTARY_HOME = os.environ.get("TRIBUTARY_HOME", "/opt/tributary")
TRIBUTARY_VERSION = "0.1.0-SNAPSHOT"
APP_JAR = f"{TRIBUTARY_HOME}/spark-job/target/tributary-spark-job-{TRIBUTARY_VERSION}-shaded.jar"
MAIN_CLASS = "io.tributary.job.cli.TributaryCli"
HDFS = "hdfs://namenode:8020"
ON_YARN = os.environ.get("TRIBUTARY_ON_YARN") == "1"
PROPERTIES = "spark-submit-yarn.properties" if ON_YARN else "spark-submit.properties"
# RPC authentication (its secret comes from the properties file), encryption of RPC and block
# transfers, and of shuffle and spill files: what deploy/SECURITY.md requires of scheduled runs.
SPARK_SECURITY = {
    "spark.authenticate": "true",
    "spark.network.crypto.enabled": "true",
    "spark.io.encryption.enabled": "true",
}

with DAG(
    dag_id="tributary_retrain",
    description="Retrain the reference CNN on the newest data; promote it only if it beats the champion",
    schedule="15 2 * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=30)},
    tags=["tributary", "training"],
) as dag:
    retrain = SparkSubmitOperator(
        task_id="retrain",
        conn_id="spark_yarn" if ON_YARN else "spark_default",
        application=APP_JAR,
        java_class=MAIN_CLASS,
        properties_file=f"{TRIBUTARY_HOME}/deploy/target/{PROPERTIES}",
        conf=SPARK_SECURITY,
        driver_memory="2g",
        application_args=[
            "retrain",
            "--registry", f"{HDFS}/tributary/registry",
            "--data", f"{HDFS}/data/fashion-mnist/latest",
            "--holdout", f"{HDFS}/data/fashion-mnist/holdout",
            "--epochs", "3",
        ],
        name="tributary-retrain",
        verbose=False,
    )
