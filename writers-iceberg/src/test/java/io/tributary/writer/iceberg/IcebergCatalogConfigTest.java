package io.tributary.writer.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.types.ConfigException;
import io.tributary.types.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Catalog and object-store configuration that needs no server: the keys Iceberg receives, the catalogs and stores
 * that are refused with a message that says what to do, and secrets kept out of every rendering. (Glue and GCS cannot
 * be reached from the tests; Azure runs against Azurite in testkit's {@code IcebergAzureTest}; S3 with the REST and JDBC catalogs is tested against real servers in
 * testkit's {@code IcebergObjectStoreTest}.)
 */
class IcebergCatalogConfigTest {
    private static final String SECRET = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY";

    private static IcebergConfig config(String json) {
        return Json.bind(Json.parse(json), IcebergConfig.class, "iceberg writer config");
    }

    @Test
    void s3KeysBecomeIcebergPropertiesAndAnS3CapableFileIo() {
        IcebergConfig c = config("{\"catalog_type\": \"jdbc\", \"warehouse\": \"s3://lake/wh\", "
                + "\"properties\": {\"uri\": \"jdbc:postgresql://db/catalog\", \"jdbc.password\": \"pg-secret-1\"}, "
                + "\"s3_endpoint\": \"http://127.0.0.1:9000\", \"aws_region\": \"eu-west-3\", \"s3_path_style\": true, "
                + "\"aws_access_key\": \"AKIAEXAMPLE\", \"aws_secret_key\": \"" + SECRET + "\"}");
        Map<String, String> p = IcebergDestination.catalogProperties(c);
        assertThat(p).containsEntry("type", "jdbc").containsEntry("warehouse", "s3://lake/wh")
                .containsEntry("s3.endpoint", "http://127.0.0.1:9000").containsEntry("client.region", "eu-west-3")
                .containsEntry("s3.path-style-access", "true").containsEntry("s3.access-key-id", "AKIAEXAMPLE")
                .containsEntry("s3.secret-access-key", SECRET)
                .containsEntry("io-impl", "org.apache.iceberg.io.ResolvingFileIO");
        assertThat(c.toString()).doesNotContain(SECRET).doesNotContain("pg-secret-1").doesNotContain("AKIAEXAMPLE")
                .contains("jdbc.password=****").contains("eu-west-3");
    }

    @Test
    void withoutKeysTheSdkDefaultChainIsUsedAndAnExplicitFileIoWins() {
        IcebergConfig c = config("{\"catalog_type\": \"rest\", \"warehouse\": \"s3a://lake/wh\", "
                + "\"properties\": {\"uri\": \"http://catalog:8181\", \"io-impl\": \"org.apache.iceberg.aws.s3.S3FileIO\"}}");
        assertThat(IcebergDestination.catalogProperties(c)).doesNotContainKeys("s3.access-key-id",
                "s3.secret-access-key").containsEntry("io-impl", "org.apache.iceberg.aws.s3.S3FileIO");
        // a local warehouse keeps Hadoop's local file system, as before
        IcebergConfig local = config("{\"catalog_type\": \"jdbc\", \"warehouse\": \"/data/wh\", "
                + "\"properties\": {\"uri\": \"jdbc:sqlite:/data/c.db\"}}");
        assertThat(IcebergDestination.catalogProperties(local)).doesNotContainKey("io-impl");
    }

    @Test
    void onlyOneOfTheTwoKeysIsRefused() {
        assertThatThrownBy(() -> config("{\"catalog_type\": \"rest\", \"warehouse\": \"s3://lake/wh\", "
                + "\"aws_secret_key\": \"" + SECRET + "\"}")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("'aws_access_key' and 'aws_secret_key'").hasMessageNotContaining(SECRET);
    }

    @Test
    void hadoopCatalogOnObjectStorageIsRefused() {
        for (String wh : new String[] {"s3://lake/wh", "s3a://lake/wh", "gs://lake/wh", "abfss://c@a.dfs.core.windows.net/wh"}) {
            assertThatThrownBy(() -> config("{\"catalog_type\": \"hadoop\", \"warehouse\": \"" + wh + "\"}"))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("must be a local folder, not " + wh)
                    .hasMessageContaining("\"rest\", \"jdbc\" or \"glue\"");
        }
        assertThat(config("{\"warehouse\": \"file:///data/wh\"}").catalogType()).isEqualTo("hadoop");
    }

    @Test
    void glueCatalogIsBuiltFromTheKeys() {
        IcebergConfig c = config("{\"catalog_type\": \"glue\", \"warehouse\": \"s3://lake/wh\", "
                + "\"aws_region\": \"eu-west-3\", \"aws_access_key\": \"AKIAEXAMPLE\", \"aws_secret_key\": \"" + SECRET
                + "\"}");
        try (IcebergDestination d = new IcebergDestination(c)) {
            assertThat(d.catalog().getClass().getName()).isEqualTo("org.apache.iceberg.aws.glue.GlueCatalog");
        }
    }

    @Test
    void catalogsWhoseJarsAreMissingSayWhichToAdd() {
        assertThatThrownBy(() -> new IcebergDestination(config("{\"catalog_type\": \"nessie\", "
                + "\"warehouse\": \"s3://lake/wh\", \"properties\": {\"uri\": \"http://nessie:19120/api/v2\"}}")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("org.apache.iceberg:iceberg-nessie");
        assertThatThrownBy(() -> new IcebergDestination(config("{\"catalog_type\": \"hive\", "
                + "\"warehouse\": \"s3://lake/wh\", \"properties\": {\"uri\": \"thrift://hms:9083\"}}")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("org.apache.iceberg:iceberg-hive-metastore");
    }

    @Test
    void gcsWarehouseNamesItsFileIoJars() {
        assertThatThrownBy(() -> new IcebergDestination(config("{\"catalog_type\": \"rest\", "
                + "\"warehouse\": \"gs://lake/wh\", \"properties\": {\"uri\": \"http://catalog:8181\"}}")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("org.apache.iceberg:iceberg-gcp");
    }

    @Test
    void azureKeysBecomeAdlsPropertiesKeyedByTheWarehouseHost() {
        // catalogProperties checks that the warehouse's FileIO (ADLSFileIO) is on the classpath
        IcebergConfig c = config("{\"catalog_type\": \"jdbc\", "
                + "\"warehouse\": \"abfss://lake@acct.dfs.core.windows.net/wh\", "
                + "\"properties\": {\"uri\": \"jdbc:postgresql://db/catalog\"}, "
                + "\"azure_account_name\": \"acct\", \"azure_account_key\": \"" + SECRET + "\", "
                + "\"azure_sas_token\": \"sv=2026&sig=sas-secret-1\", "
                + "\"azure_endpoint\": \"http://127.0.0.1:10000/acct\"}");
        assertThat(IcebergDestination.catalogProperties(c))
                .containsEntry("adls.auth.shared-key.account.name", "acct")
                .containsEntry("adls.auth.shared-key.account.key", SECRET)
                .containsEntry("adls.connection-string.acct.dfs.core.windows.net", "http://127.0.0.1:10000/acct")
                .containsEntry("adls.sas-token.acct.dfs.core.windows.net", "sv=2026&sig=sas-secret-1")
                .containsEntry("io-impl", "org.apache.iceberg.io.ResolvingFileIO");
        assertThat(c.toString()).doesNotContain(SECRET).doesNotContain("sas-secret-1")
                .contains("endpoint=Optional[http://127.0.0.1:10000/acct]");
    }

    @Test
    void withoutAzureKeysTheSdkDefaultChainIsUsed() {
        IcebergConfig c = config("{\"catalog_type\": \"rest\", "
                + "\"warehouse\": \"abfss://lake@acct.dfs.core.windows.net/wh\", "
                + "\"properties\": {\"uri\": \"http://catalog:8181\"}}");
        assertThat(IcebergDestination.catalogProperties(c)).doesNotContainKeys("adls.auth.shared-key.account.name",
                "adls.auth.shared-key.account.key").containsEntry("io-impl", "org.apache.iceberg.io.ResolvingFileIO");
    }

    @Test
    void anAzureKeyWithoutItsAccountOrAnEndpointWithoutAHostIsRefused() {
        assertThatThrownBy(() -> config("{\"catalog_type\": \"rest\", "
                + "\"warehouse\": \"abfss://lake@acct.dfs.core.windows.net/wh\", \"azure_account_key\": \""
                + SECRET + "\"}")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("'azure_account_key' needs 'azure_account_name'").hasMessageNotContaining(SECRET);
        assertThatThrownBy(() -> config("{\"catalog_type\": \"rest\", \"warehouse\": \"s3://lake/wh\", "
                + "\"azure_endpoint\": \"http://127.0.0.1:10000/acct\"}")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("give 'azure_account_name'");
        assertThatThrownBy(() -> config("{\"catalog_type\": \"rest\", "
                + "\"warehouse\": \"abfss://lake@acct.dfs.core.windows.net/wh\", \"azure_endpoint\": \"localhost\"}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'azure_endpoint' must be a URL");
    }
}
