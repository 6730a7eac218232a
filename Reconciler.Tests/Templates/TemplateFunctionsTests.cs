using System.Globalization;
using Reconciler.Actors.State;
using Reconciler.Actors.Templates;

namespace Reconciler.Tests.Templates;

/// <summary>Each confd function, called the way a template calls it.</summary>
public class TemplateFunctionsTests
{
    private static readonly DesiredState Apps = DesiredState.From(
        new Dictionary<string, string>
        {
            ["/apps/web/b"] = "alpha",
            ["/apps/web/a"] = "zeta",
            ["/apps/web/a/deep"] = "deeper",
            ["/apps/web/c/port"] = "80",
            ["/apps/web/x"] = "x-ray",
            ["/apps/web/[x]"] = "bracketed",
            ["/apps/web/*"] = "star",
            ["/apps/webby/d"] = "sibling",
            ["/apps/config"] = """{"host": "db", "port": 5432, "tags": ["a", "b"], "nested": {"on": true}, "ratio": 0.5}""",
            ["/apps/list"] = """["one", 2, "three"]""",
        },
        7);

    private static string Render(string source, DesiredState? state = null) =>
        CompiledTemplate.Parse(source, "functions.tmpl").Render(state ?? Apps);

    private static TemplateException RenderFails(string source) =>
        Assert.Throws<TemplateException>(() => Render(source));

    [Fact]
    public void Getv_returns_the_value()
    {
        Assert.Equal("zeta", Render("""{{ getv "/apps/web/a" }}"""));
    }

    [Fact]
    public void Getv_returns_the_default_for_a_missing_key()
    {
        Assert.Equal("fallback|", Render("""{{ getv "/apps/missing" "fallback" }}|{{ getv "/apps/missing" "" }}"""));
        Assert.Equal("zeta", Render("""{{ getv "/apps/web/a" "unused" }}"""));
    }

    [Fact]
    public void Getv_of_a_missing_key_without_default_names_the_key()
    {
        var error = RenderFails("""{{ getv "/apps/missing" }}""");

        Assert.Contains("key not found: /apps/missing", error.Message);
    }

    [Fact]
    public void Getvs_returns_the_values_of_matching_keys_sorted_by_value()
    {
        Assert.Equal(
            "alpha,bracketed,star,x-ray,zeta",
            Render("""{{ join (getvs "/apps/web/*") "," }}"""));
    }

    [Fact]
    public void Getvs_supports_question_mark_classes_and_escapes()
    {
        Assert.Equal("alpha,star,x-ray,zeta", Render("""{{ join (getvs "/apps/web/?") "," }}"""));
        Assert.Equal("alpha,zeta", Render("""{{ join (getvs "/apps/web/[a-c]") "," }}"""));
        Assert.Equal("star,x-ray", Render("""{{ join (getvs "/apps/web/[^a-c]") "," }}"""));
        Assert.Equal("star", Render("""{{ join (getvs `/apps/web/\*`) "," }}"""));
        Assert.Equal("bracketed", Render("""{{ join (getvs `/apps/web/\[x]`) "," }}"""));
    }

    [Fact]
    public void Getvs_does_not_match_deeper_keys_or_sibling_prefixes()
    {
        Assert.Equal("80", Render("""{{ join (getvs "/apps/*/c/port") "," }}"""));
        Assert.Equal("sibling", Render("""{{ join (getvs "/apps/webby/*") "," }}"""));
        Assert.Equal(string.Empty, Render("""{{ join (getvs "/apps/nothing/*") "," }}"""));
    }

    [Fact]
    public void Getvs_of_a_malformed_pattern_is_an_error()
    {
        Assert.Contains("syntax error in pattern: /apps/[", RenderFails("""{{ getvs "/apps/[" }}""").Message);
    }

    [Fact]
    public void Get_returns_an_entry_with_key_and_value_in_both_spellings()
    {
        Assert.Equal(
            "/apps/web/a=zeta /apps/web/a=zeta",
            Render("""{{ kv = get "/apps/web/a" }}{{ kv.key }}={{ kv.value }} {{ kv.Key }}={{ kv.Value }}"""));
    }

    [Fact]
    public void Get_of_a_missing_key_names_the_key()
    {
        Assert.Contains("key not found: /apps/nope", RenderFails("""{{ get "/apps/nope" }}""").Message);
    }

    [Fact]
    public void Gets_returns_matching_entries_sorted_by_key()
    {
        Assert.Equal(
            "/apps/web/*=star;/apps/web/[x]=bracketed;/apps/web/a=zeta;/apps/web/b=alpha;/apps/web/x=x-ray;",
            Render("""{{ for kv in gets "/apps/web/*" }}{{ kv.key }}={{ kv.value }};{{ end }}"""));
    }

    [Fact]
    public void Ls_lists_direct_child_names_sorted_and_unique_on_segment_boundaries()
    {
        Assert.Equal("*,[x],a,b,c,x", Render("""{{ join (ls "/apps/web") "," }}"""));
        Assert.Equal("*,[x],a,b,c,x", Render("""{{ join (ls "/apps/web/") "," }}"""));
        Assert.Equal("apps", Render("""{{ join (ls "/") "," }}"""));
        Assert.Equal(string.Empty, Render("""{{ join (ls "/apps/missing") "," }}"""));
    }

    [Fact]
    public void Lsdir_lists_only_children_that_have_children()
    {
        Assert.Equal("a,c", Render("""{{ join (lsdir "/apps/web") "," }}"""));
        Assert.Equal("web,webby", Render("""{{ join (lsdir "/apps") "," }}"""));
    }

    [Fact]
    public void Exists_is_true_only_for_an_exact_key()
    {
        Assert.Equal("true false false", Render("""{{ exists "/apps/web/a" }} {{ exists "/apps/web" }} {{ exists "/apps/web/zz" }}"""));
    }

    [Fact]
    public void Json_parses_an_object_into_members()
    {
        Assert.Equal(
            "db:5432 b true 0.5",
            Render("""{{ c = json (getv "/apps/config") }}{{ c.host }}:{{ c.port }} {{ c.tags[1] }} {{ c.nested.on }} {{ c.ratio }}"""));
    }

    [Fact]
    public void Json_of_a_non_object_is_an_error()
    {
        Assert.Contains("not a JSON object", RenderFails("""{{ json (getv "/apps/list") }}""").Message);
        Assert.Contains("invalid JSON", RenderFails("""{{ json "{oops" }}""").Message);
    }

    [Fact]
    public void JsonArray_parses_an_array()
    {
        Assert.Equal("one,2,three,", Render("""{{ for item in jsonArray (getv "/apps/list") }}{{ item }},{{ end }}"""));
        Assert.Contains("not a JSON array", RenderFails("""{{ jsonArray (getv "/apps/config") }}""").Message);
    }

    [Theory]
    [InlineData("/apps/web/a", "a")]
    [InlineData("/apps/web/", "web")]
    [InlineData("a", "a")]
    [InlineData("///", "/")]
    [InlineData("", ".")]
    public void Base_has_go_path_base_semantics(string path, string expected)
    {
        Assert.Equal(expected, Render($$$"""{{ base "{{{path}}}" }}"""));
    }

    [Theory]
    [InlineData("/apps/web/a", "/apps/web")]
    [InlineData("/apps", "/")]
    [InlineData("/", "/")]
    [InlineData("a", ".")]
    [InlineData("a/b", "a")]
    [InlineData("/a//b/../c/d", "/a/c")]
    [InlineData("/../a", "/")]
    [InlineData("../../a", "../..")]
    public void Dir_has_go_path_dir_semantics(string path, string expected)
    {
        Assert.Equal(expected, Render($$$"""{{ dir "{{{path}}}" }}"""));
    }

    [Fact]
    public void Split_splits_on_every_separator()
    {
        Assert.Equal("a|b||c 4", Render("""{{ parts = split "a,b,,c" "," }}{{ join parts "|" }} {{ parts.size }}"""));
        Assert.Equal("h|é|😀", Render("""{{ join (split "hé😀" "") "|" }}"""));
    }

    [Fact]
    public void Join_joins_any_list()
    {
        Assert.Equal("1-2-3", Render("""{{ join [1, 2, 3] "-" }}"""));
    }

    [Fact]
    public void ToUpper_and_toLower_change_case()
    {
        Assert.Equal("WEB-1 web-1", Render("""{{ toUpper "Web-1" }} {{ toLower "WEB-1" }}"""));
    }

    [Fact]
    public void Contains_tests_for_a_substring()
    {
        Assert.Equal("true false", Render("""{{ contains "stupid-server" "server" }} {{ contains "stupid-server" "Server" }}"""));
    }

    [Theory]
    [InlineData("(-1)", "xbxbxb")]
    [InlineData("1", "xbabab")]
    [InlineData("2", "xbxbab")]
    [InlineData("0", "ababab")]
    public void Replace_replaces_the_first_n_occurrences_or_all_when_negative(string count, string expected)
    {
        Assert.Equal(expected, Render($$$"""{{ replace "ababab" "a" "x" {{{count}}} }}"""));
    }

    [Fact]
    public void Replace_with_an_empty_old_string_inserts_around_each_character()
    {
        Assert.Equal("-a-b-", Render("""{{ replace "ab" "" "-" (-1) }}"""));
    }

    [Fact]
    public void TrimSuffix_removes_only_a_trailing_suffix()
    {
        Assert.Equal("web web.service.x", Render("""{{ trimSuffix "web.service" ".service" }} {{ trimSuffix "web.service.x" ".service" }}"""));
    }

    [Fact]
    public void Atoi_parses_a_signed_integer()
    {
        Assert.Equal("42 -7", Render("""{{ add (atoi "40") 2 }} {{ atoi "-7" }}"""));
    }

    [Fact]
    public void Atoi_of_a_non_number_is_an_error_naming_the_key_not_the_value()
    {
        var message = RenderFails("""{{ atoi (getv "/apps/web/x") }}""").Message;
        Assert.Contains("atoi: the value of /apps/web/x is not a decimal integer", message);
        Assert.DoesNotContain("x-ray", message);
        Assert.Contains("atoi: a value is not", RenderFails("""{{ atoi "4x" }}""").Message);
    }

    [Fact]
    public void Arithmetic_is_on_integers()
    {
        Assert.Equal("9 5 14 3 1", Render("""{{ add 7 2 }} {{ sub 7 2 }} {{ mul 7 2 }} {{ div 7 2 }} {{ mod 7 2 }}"""));
    }

    [Fact]
    public void Division_by_zero_is_an_error()
    {
        RenderFails("""{{ div 1 0 }}""");
    }

    [Fact]
    public void Seq_counts_from_first_to_last_inclusive()
    {
        Assert.Equal("3,4,5|", Render("""{{ join (seq 3 5) "," }}|{{ join (seq 5 3) "," }}"""));
    }

    [Fact]
    public void Datetime_is_the_current_time()
    {
        var before = DateTime.Now.Year;
        var year = Render("""{{ datetime | date.to_string "%Y" }}""");
        var after = DateTime.Now.Year;

        Assert.Contains(int.Parse(year, CultureInfo.InvariantCulture), new[] { before, after });
    }

    [Fact]
    public void Reverse_reverses_a_list()
    {
        Assert.Equal("c,b,a", Render("""{{ join (reverse (split "a,b,c" ",")) "," }}"""));
    }

    [Fact]
    public void SortByLength_puts_shorter_strings_first_and_keeps_ties_in_order()
    {
        Assert.Equal("b,a,dd,cc,eee", Render("""{{ join (sortByLength (split "eee,b,dd,a,cc" ",")) "," }}"""));
    }

    [Fact]
    public void SortKVByLength_orders_entries_by_key_length()
    {
        var state = DesiredState.From(
            new Dictionary<string, string> { ["/k/ccc"] = "3", ["/k/a"] = "1", ["/k/bb"] = "2" },
            1);

        Assert.Equal(
            "/k/a=1 /k/bb=2 /k/ccc=3 ",
            Render("""{{ for kv in sortKVByLength (gets "/k/*") }}{{ kv.key }}={{ kv.value }} {{ end }}""", state));
    }

    [Fact]
    public void Base64_encodes_and_decodes_utf8()
    {
        Assert.Equal("aGVsbG8= héllo", Render("""{{ base64Encode "hello" }} {{ base64Decode (base64Encode "héllo") }}"""));
        RenderFails("""{{ base64Decode "not base64!" }}""");
    }

    [Theory]
    [InlineData("1", "true")]
    [InlineData("t", "true")]
    [InlineData("TRUE", "true")]
    [InlineData("True", "true")]
    [InlineData("0", "false")]
    [InlineData("F", "false")]
    [InlineData("false", "false")]
    public void ParseBool_accepts_go_spellings(string text, string expected)
    {
        Assert.Equal(expected, Render($$$"""{{ parseBool "{{{text}}}" }}"""));
    }

    [Fact]
    public void ParseBool_rejects_other_words_naming_the_key_not_the_value()
    {
        var message = RenderFails("""{{ parseBool (getv "/apps/web/b") }}""").Message;
        Assert.Contains("parseBool: the value of /apps/web/b is not a Go boolean", message);
        Assert.DoesNotContain("alpha", message);
    }

    [Fact]
    public void Getenv_reads_the_environment_with_a_default_for_unset_or_empty()
    {
        var name = "RECONCILER_TEMPLATE_TEST_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(name, "from-env");
        try
        {
            Assert.Equal(
                "from-env|fallback|",
                Render($$$"""{{ getenv "{{{name}}}" }}|{{ getenv "{{{name}}}_UNSET" "fallback" }}|{{ getenv "{{{name}}}_UNSET" }}"""));
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public void LookupIP_resolves_to_sorted_address_strings()
    {
        Assert.Equal("127.0.0.1", Render("""{{ join (lookupIP "127.0.0.1") "," }}"""));
        Assert.Contains("127.0.0.1", Render("""{{ join (lookupIP "localhost") "," }}"""));
    }

    [Fact]
    public void FileExists_is_true_for_files_and_directories()
    {
        var file = Path.GetTempFileName();
        try
        {
            Assert.Equal(
                "true true false",
                Render($$$"""{{ fileExists "{{{file}}}" }} {{ fileExists "{{{Path.GetTempPath()}}}" }} {{ fileExists "{{{file}}}.missing" }}"""));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Confd_names_are_not_renamed()
    {
        Assert.Equal("true", Render("""{{ jsonArray "[]" | array.size | math.is_number }}"""));
        RenderFails("""{{ json_array "[]" }}""");
    }
}
