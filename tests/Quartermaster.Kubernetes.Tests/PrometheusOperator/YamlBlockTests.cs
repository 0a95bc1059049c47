using Quartermaster.Kubernetes.PrometheusOperator;

namespace Quartermaster.Kubernetes.Tests.PrometheusOperator;

public sealed class YamlBlockTests
{
    [Fact]
    public void Document_NestedMapsAndLists_BlockStyleWithQuotedStrings()
    {
        var job = new YamlBlock()
            .Add("job_name", "a/b")
            .Add("honor_labels", false)
            .Add("sample_limit", 10L)
            .Add("kubernetes_sd_configs", new List<object>
            {
                new YamlBlock().Add("role", "pod").Add("namespaces", new YamlBlock().Add("names", new List<object> { "x" })),
            })
            .Add("params", new YamlBlock())
            .Add("empty", new List<object>())
            .Add("nested", new List<object> { new List<object> { "y" }, new YamlBlock() })
            .Add("text", "say \"hi\"\\\n\u0001\u2028");

        var yaml = YamlBlock.Document("scrape_configs", new List<object> { job });

        Assert.Equal(
            "scrape_configs:\n" +
            "- job_name: \"a/b\"\n" +
            "  honor_labels: false\n" +
            "  sample_limit: 10\n" +
            "  kubernetes_sd_configs:\n" +
            "  - role: \"pod\"\n" +
            "    namespaces:\n" +
            "      names:\n" +
            "      - \"x\"\n" +
            "  params: {}\n" +
            "  empty: []\n" +
            "  nested:\n" +
            "  -\n" +
            "    - \"y\"\n" +
            "  - {}\n" +
            "  text: \"say \\\"hi\\\"\\\\\\n\\u0001\\u2028\"\n",
            yaml);
    }
}
