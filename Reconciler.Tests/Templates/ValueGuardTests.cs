using System.Collections.Frozen;
using System.Net;
using Reconciler.Actors.Networks;
using Reconciler.Actors.Output;
using Reconciler.Actors.State;
using Reconciler.Actors.Templates;

namespace Reconciler.Tests.Templates;

/// <summary>The registry as untrusted input: what a value written by one host can and cannot do to a rendered file.</summary>
public sealed class ValueGuardTests
{
    private const string Injected = "x 10.0.0.5:80\n    http-request redirect location http://attacker.invalid/\n    server tail 127.0.0.1:2";

    private static readonly RenderLimits Guarded = new(TimeSpan.FromSeconds(10), 1 << 20) { Values = new ValueRules(RejectControlCharacters: true, MaxValueBytes: 1024) };

    private static DesiredState State(params (string Key, string Value)[] keys) =>
        DesiredState.From(keys.Select(k => KeyValuePair.Create(k.Key, k.Value)), 5);

    private static (string Output, IReadOnlyCollection<SkippedKey> Skipped) Render(string source, DesiredState state, RenderLimits? limits = null)
    {
        var output = new ContentBuffer();
        var findings = CompiledTemplate.Parse(source, "guard.sbn").Render(state, null, output, limits ?? Guarded, CancellationToken.None);
        return (output.ToString(), findings.Skipped);
    }

    [Fact]
    public void Getvs_leaves_out_a_value_with_a_newline_and_keeps_the_others()
    {
        var state = State(("/apps/a", "web-1 10.0.0.1:80"), ("/apps/evil", Injected), ("/apps/b", "web-2 10.0.0.2:80"));

        var (output, skipped) = Render("""{{ for v in getvs "/apps/*" }}server {{ v }}|{{ end }}""", state);

        Assert.Equal("server web-1 10.0.0.1:80|server web-2 10.0.0.2:80|", output);
        Assert.Equal("/apps/evil", Assert.Single(skipped).Key);
        Assert.Contains("control character", skipped.Single().Reason);
    }

    [Fact]
    public void Without_reject_control_characters_a_value_spans_lines_as_written()
    {
        var state = State(("/cert", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"));
        var multiline = Guarded with { Values = new ValueRules(RejectControlCharacters: false, MaxValueBytes: 1024) };

        var (output, skipped) = Render("""{{ getv "/cert" }}""", state, multiline);

        Assert.Equal(3, output.Split('\n').Length);
        Assert.Empty(skipped);
    }

    [Theory]
    [InlineData("""{{ getv "/apps/evil" "default" }}""", "default")]
    [InlineData("""{{ exists "/apps/evil" }}""", "false")]
    [InlineData("""{{ for e in gets "/apps/*" }}{{ e.key }}={{ e.value }};{{ end }}""", "/apps/a=ok;/apps/evil-key-ok=fine;")]
    [InlineData("""{{ ls "/apps" | array.join "," }}""", "a,evil-key-ok")]
    [InlineData("""{{ getvs "/apps/*" | array.join "," }}""", "fine,ok")]
    public void Every_key_function_treats_a_key_with_a_control_character_as_absent(string source, string expected)
    {
        var state = State(("/apps/a", "ok"), ("/apps/evil", "bad\r\nline"), ("/apps/evil-key-ok", "fine"));

        var (output, skipped) = Render(source, state);

        Assert.Equal(expected, output);
        Assert.Equal("/apps/evil", Assert.Single(skipped).Key);
    }

    [Fact]
    public void A_key_name_with_a_control_character_is_skipped_by_ls_and_reported_escaped()
    {
        var state = State(("/apps/a", "ok"), ("/apps/x\ny", "fine"));

        var (output, skipped) = Render("""{{ ls "/apps" | array.join "," }}""", state);

        Assert.Equal("a", output);
        Assert.Equal("/apps/x\\ny", Assert.Single(skipped).PrintableKey);
    }

    [Fact]
    public void Getv_of_a_skipped_key_without_a_default_fails_saying_it_was_skipped()
    {
        var e = Assert.Throws<TemplateException>(() => Render("""{{ getv "/apps/evil" }}""", State(("/apps/evil", "a\0b"))));

        Assert.Contains("key /apps/evil was skipped: its value has a control character", e.Message);
    }

    [Fact]
    public void Instances_parse_registrations_strictly_and_skip_the_rest_by_key()
    {
        var state = State(
            ("/apps/1", "web-1 10.0.0.1:80"),
            ("/apps/2", "web-2 [::1]:8080"),
            ("/apps/3", "web-3 backend.internal:443"),
            ("/apps/4", "web-4 10.0.0.4:80 backup"),
            ("/apps/5", "web#5 10.0.0.5:80"),
            ("/apps/6", "web-6 10.0.0.6:0"),
            ("/apps/7", Injected));

        var anywhere = Guarded with { Values = Guarded.Values with { Addresses = AddressPolicy.Unrestricted } };

        var (output, skipped) = Render("""{{ for i in instances "/apps/*" }}{{ i.key }} {{ i.name }} {{ i.address }}|{{ end }}""", state, anywhere);

        Assert.Equal("/apps/1 web-1 10.0.0.1:80|/apps/2 web-2 [::1]:8080|/apps/3 web-3 backend.internal:443|", output);
        Assert.Equal(["/apps/4", "/apps/5", "/apps/6", "/apps/7"], skipped.Select(s => s.Key).Order());
        Assert.All(skipped, s => Assert.DoesNotContain("10.0.0", s.Reason));
    }

    [Fact]
    public void Instances_by_default_skip_an_address_of_the_load_balancer_or_only_it_reaches_and_a_host_name_by_key()
    {
        var state = State(
            ("/apps/good", "web-1 10.0.0.1:80"),
            ("/apps/loopback", "x 127.0.0.1:22"),
            ("/apps/loopback6", "x [::1]:80"),
            ("/apps/mapped", "x [::ffff:127.0.0.1]:80"),
            ("/apps/metadata", "x 169.254.169.254:80"),
            ("/apps/any", "x 0.0.0.0:8080"),
            ("/apps/any6", "x [::]:8080"),
            ("/apps/hex", "x 0x7f000001:80"),
            ("/apps/octal", "x 0177.0.0.1:80"),
            ("/apps/name", "evil does-not-exist.invalid:80"));

        var (output, skipped) = Render("""{{ for i in instances "/apps/*" }}{{ i.address }}|{{ end }}""", state);

        Assert.Equal("10.0.0.1:80|", output);
        var reasons = skipped.ToDictionary(s => s.Key, s => s.Reason);
        Assert.StartsWith("its host is loopback", reasons["/apps/loopback"]);
        Assert.StartsWith("its host is loopback", reasons["/apps/loopback6"]);
        Assert.StartsWith("its host is loopback", reasons["/apps/mapped"]);
        Assert.StartsWith("its host is link-local", reasons["/apps/metadata"]);
        Assert.StartsWith("its host is unspecified", reasons["/apps/any"]);
        Assert.StartsWith("its host is unspecified", reasons["/apps/any6"]);
        Assert.StartsWith("its value has a host that is neither an IP address", reasons["/apps/hex"]);
        Assert.StartsWith("its value has a host that is neither an IP address", reasons["/apps/octal"]);
        Assert.StartsWith("its host is a host name, refused without allow-hostnames", reasons["/apps/name"]);
        Assert.Equal(9, reasons.Count);
    }

    [Fact]
    public void Instances_take_what_allowed_networks_and_allow_hostnames_allow()
    {
        var state = State(("/apps/a", "web-1 127.0.0.1:9001"), ("/apps/b", "web-2 10.0.0.1:80"), ("/apps/c", "web-3 app.internal:80"));
        var rules = Guarded with { Values = Guarded.Values with { Addresses = new AddressPolicy([IPNetwork.Parse("127.0.0.0/8")], allowHostNames: true, FrozenSet<IPAddress>.Empty) } };

        var (output, skipped) = Render("""{{ for i in instances "/apps/*" }}{{ i.address }}|{{ end }}""", state, rules);

        Assert.Equal("127.0.0.1:9001|app.internal:80|", output);
        Assert.Equal("/apps/b: its host is outside allowed-networks", Assert.Single(skipped.Select(s => $"{s.Key}: {s.Reason}")));
    }

    [Fact]
    public void HaproxySlots_over_plain_values_skips_one_that_points_where_instances_would_not()
    {
        var state = State(
            ("/apps/a", "web-1 10.0.0.1:80"),
            ("/apps/b", "169.254.169.254:80"),
            ("/apps/c", "127.0.0.1"),
            ("/apps/d", "web-4 [::1]:80"),
            ("/apps/e", "not an address at all"));

        var (output, skipped) = Render("""{{ for slot in haproxySlots (getvs "/apps/*") 8 }}{{ if slot.value }}{{ slot.value }}|{{ end }}{{ end }}""", state);

        Assert.Equal(["not an address at all", "web-1 10.0.0.1:80"], output.Split('|', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        Assert.Equal(["/apps/b", "/apps/c", "/apps/d"], skipped.Select(s => s.Key).Order(StringComparer.Ordinal));
        Assert.All(skipped, s => Assert.StartsWith("its host is ", s.Reason));
    }

    [Fact]
    public void The_shipped_slot_template_shape_renders_instances_into_slots()
    {
        var state = State(("/apps/1", "web-1 10.0.0.1:80"), ("/apps/evil", Injected));

        var (output, skipped) = Render(
            """{{ for slot in haproxySlots (instances "/apps/*") 4 }}{{ if slot.value }}server slot{{ slot.number }} {{ slot.value.address }} # {{ slot.value.name }}{{ end }}{{ end }}""",
            state);

        Assert.Matches(@"^server slot\d 10\.0\.0\.1:80 # web-1$", output);
        Assert.Single(skipped);
    }

    [Fact]
    public void A_value_over_max_value_bytes_holds_the_render_back_naming_the_key()
    {
        var state = State(("/apps/big", new string('x', 2000)));

        var e = Assert.Throws<TemplateException>(() => Render("""{{ getvs "/apps/*" | array.size }}""", state));

        Assert.True(e.HeldBack);
        Assert.Contains("max-value-bytes", e.Message);
        Assert.Contains("the value of /apps/big is 2000 bytes, more than 1024", e.Message);
    }

    [Fact]
    public void HaproxySlots_past_its_maximum_holds_the_render_back()
    {
        var state = State([.. Enumerable.Range(1, 9).Select(i => ($"/apps/{i}", $"web-{i} 10.0.0.{i}:80"))]);

        var e = Assert.Throws<TemplateException>(() => Render("""{{ haproxySlots (instances "/apps/*") 4 8 | array.size }}""", state));

        Assert.True(e.HeldBack);
        Assert.Contains("9 values need more than 8 slots", e.Message);
        Assert.Equal("16", Render("""{{ haproxySlots (instances "/apps/*") 4 16 | array.size }}""", state).Output);
    }

    [Theory]
    [InlineData("backend-a", true)]
    [InlineData("a#comment", false)]
    [InlineData("two words", false)]
    [InlineData("quo\"te", false)]
    [InlineData("back\\slash", false)]
    [InlineData("", false)]
    public void HaproxyWord_lets_through_one_word_only(string value, bool passes)
    {
        var state = State(("/route", value));

        if (passes)
        {
            Assert.Equal(value, Render("""{{ haproxyWord (getv "/route") }}""", state).Output);
        }
        else
        {
            var e = Assert.Throws<TemplateException>(() => Render("""use_backend {{ haproxyWord (getv "/route") }}""", state));
            Assert.Contains("guard.sbn(1,", e.Message);
            Assert.Contains(value.Length == 0 ? "haproxyWord:" : "the value of /route is not one HAProxy word", e.Message);
        }
    }

    [Fact]
    public void MapEntries_gives_one_line_per_key_and_skips_a_host_or_backend_that_is_not_one_word()
    {
        var state = State(
            ("/routes/b.example", "backend-b"),
            ("/routes/a.example", "backend-a"),
            ("/routes/c.example", "backend-c extra.example backend-a"),
            ("/routes/#d", "backend-d"));

        var (output, skipped) = Render("""{{ for r in mapEntries "/routes/*" }}{{ r.name }} {{ r.value }};{{ end }}""", state);

        Assert.Equal("a.example backend-a;b.example backend-b;", output);
        Assert.Equal(
            ["/routes/#d: its last segment is not one HAProxy word", "/routes/c.example: its value is not one HAProxy word"],
            skipped.Select(k => $"{k.Key}: {k.Reason[..k.Reason.IndexOf(" (", StringComparison.Ordinal)]}").Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("203.0.113.7", true)]
    [InlineData("10.0.0.0/8", true)]
    [InlineData("2001:db8::/32", true)]
    [InlineData("::1", true)]
    [InlineData("localhost", false)]
    [InlineData("10.1", false)]
    [InlineData("10.0.0.0/33", false)]
    [InlineData("[::1]", false)]
    [InlineData("[::1]:80", false)]
    [InlineData("fe80::1%1", false)]
    [InlineData("::1%lo", false)]
    [InlineData("0x7f.0.0.1", false)]
    [InlineData("0x7f000001", false)]
    [InlineData("0177.0.0.1", false)]
    public void MapEntries_of_kind_network_takes_only_addresses_and_networks(string value, bool taken)
    {
        var (output, skipped) = Render("""{{ for c in mapEntries "/denied/*" "network" }}{{ c.value }};{{ end }}""", State(("/denied/a", value)));

        Assert.Equal(taken ? $"{value};" : string.Empty, output);
        Assert.Equal(taken ? 0 : 1, skipped.Count);
    }

    [Fact]
    public void LineSafe_refuses_a_control_character_even_where_the_template_allows_them()
    {
        var state = State(("/banner", "hello\nworld"));
        var multiline = Guarded with { Values = ValueRules.None };

        var e = Assert.Throws<TemplateException>(() => Render("""{{ lineSafe (getv "/banner") }}""", state, multiline));

        Assert.Contains("lineSafe: the value of /banner has a control character", e.Message);
        Assert.DoesNotContain("world", e.Message);
    }

    [Theory]
    [InlineData("web-1 10.0.0.1:80", true)]
    [InlineData("web-1 [2001:db8::1]:443", true)]
    [InlineData("web.1:a_b-c host-1.example.com:65535", true)]
    [InlineData("web-1 10.0.0.1:65536", false)]
    [InlineData("web-1 10.0.0.1:080", false)]
    [InlineData("web-1 10.0.0.1", false)]
    [InlineData("web-1 1:80", false)]
    [InlineData("web-1 0x7f.0.0.1:80", false)]
    [InlineData("web-1 300.0.0.1:80", false)]
    [InlineData("web-1  10.0.0.1:80", false)]
    [InlineData(" web-1 10.0.0.1:80", false)]
    [InlineData("web-1 10.0.0.1:80 ", false)]
    [InlineData("web-1 -bad.example:80", false)]
    [InlineData("web-1 2001:db8::1:80", false)]
    [InlineData("web-1 [fe80::1%eth0]:80", false)]
    [InlineData("web-1 10.0.0.1:80\n", false)]
    public void InstanceValue_parses_name_host_and_port_and_nothing_else(string value, bool parses)
    {
        Assert.Equal(parses, InstanceValue.TryParse(value, out var instance, out var reason));
        Assert.Equal(parses, instance is not null);
        Assert.Equal(parses, reason.Length == 0);
        if (parses)
        {
            Assert.Equal(value, instance!.Value);
        }
    }
}
