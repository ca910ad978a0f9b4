def test_dashboard_for_owner(owner, signed_in):
    response = signed_in(owner).get("/")
    assert response.status_code == 200
    assert b"Alpha Clinic" in response.content


def test_me_over_api(owner, api_as):
    response = api_as(owner).get("/api/v1/me")
    assert response.status_code == 200, response.content
    assert response.json()["organization"]["slug"] == "alpha"
