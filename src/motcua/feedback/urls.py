from django.urls import path

from motcua.feedback import views_pakn_staff, views_public, views_staff

app_name = "feedback"

STAFF = "can-bo/danh-gia-cua-nguoi-dan/"

urlpatterns = [
    # the citizen's (no account needed)
    path("danh-gia/<str:token>/", views_public.by_link, name="by_link"),
    path("may-danh-gia/", views_public.kiosk, name="kiosk"),
    path("may-danh-gia/ghep-noi/<str:secret>/", views_public.kiosk_pair, name="kiosk_pair"),
    # the staff's
    path(STAFF, views_staff.ratings, name="ratings"),
    path(STAFF + "<int:pk>/xem-xet/", views_staff.review, name="review"),
    path(STAFF + "phieu-giay/", views_staff.paper, name="paper"),
    path(STAFF + "may/", views_staff.kiosks, name="kiosks"),
    path(STAFF + "may/<int:pk>/thu-hoi/", views_staff.kiosk_revoke, name="kiosk_revoke"),
    path(STAFF + "moi/<str:code>/", views_staff.invite, name="invite"),
    path("can-bo/phan-anh-kien-nghi/", views_pakn_staff.queue, name="pakn_queue"),
    path("can-bo/phan-anh-kien-nghi/<str:code>/", views_pakn_staff.item, name="pakn_item"),
    path("can-bo/phan-anh-kien-nghi/<str:code>/<str:action>/", views_pakn_staff.act, name="pakn_act"),
]
